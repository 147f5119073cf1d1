#!/usr/bin/env bash
# Builds the DocC archive of the InfraSpec library (what spec files use, and the articles in
# Sources/InfraSpec/InfraSpec.docc) with the toolchain's own docc. swift-symbolgraph-extract reads
# the module `swift build` has already built, so this needs no rebuild and no package dependency
# (swift-docc-plugin would add one and rebuild the target with symbol-graph flags).
#
# Fails on a public symbol without documentation and on any docc warning (a broken link, an
# unknown symbol in a doc comment).   scripts/docs.sh [OUTPUT_FOLDER]   (default .build/docs)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/docs}
started=$SECONDS

swift build --target InfraSpec >/dev/null
bin=$(swift build --show-bin-path)
rm -rf "$out"
mkdir -p "$out/symbols"
# Public API only: SPI (@_spi(Runner), the CLI's) and underscored DSL plumbing are not for specs.
# The layers a spec file sees through InfraSpec's re-exports are checked too; the archive itself
# is InfraSpec's (docc builds one module per archive).
mkdir -p "$out/layers"
for module in InfraSpec InfraSpecCore InfraSpecDNS InfraSpecEdge; do
  folder="$out/layers"
  [[ $module == InfraSpec ]] && folder="$out/symbols"
  swift symbolgraph-extract -module-name "$module" -target "$(uname -m)-unknown-linux-gnu" \
    -I "$bin/Modules" -I Sources/CLibSSH2 -I Sources/COpenSSL \
    -minimum-access-level public -output-dir "$folder" >/dev/null
done

python3 - "$out/symbols" "$out/layers" <<'PY'
import json, os, sys
missing = []
for name, folder in sorted((name, folder) for folder in sys.argv[1:] for name in os.listdir(folder)):
    graph = json.load(open(os.path.join(folder, name)))
    # Members that implement another module's protocol (hash(into:), description) show that
    # protocol's documentation; they carry a sourceOrigin.
    inherited = {r["source"] for r in graph["relationships"] if r.get("sourceOrigin")}
    for symbol in graph["symbols"]:
        if symbol.get("docComment") or symbol["identifier"]["precise"] in inherited:
            continue
        where = symbol.get("location", {})
        uri = where.get("uri", "").split("/Sources/", 1)[-1]
        line = where.get("position", {}).get("line", -1) + 1
        missing.append(f"Sources/{uri}:{line}: {'.'.join(symbol['pathComponents'])} has no documentation")
for line in missing:
    print(line, file=sys.stderr)
if missing:
    sys.exit(f"docs: {len(missing)} public symbols without documentation")
PY

docc convert Sources/InfraSpec/InfraSpec.docc --additional-symbol-graph-dir "$out/symbols" \
  --output-path "$out/InfraSpec.doccarchive" --fallback-display-name InfraSpec \
  --fallback-bundle-identifier org.infraspec.InfraSpec --warnings-as-errors >"$out/docc.log" 2>&1 ||
  { cat "$out/docc.log" >&2; echo "docs: docc failed (warnings are errors)" >&2; exit 1; }
echo "docs: $out/InfraSpec.doccarchive built in $((SECONDS - started)) s" >&2
