# Section "compile": how long `infraspec` takes to compile large specs (a cold cache each time),
# one `describe` holding every statement versus the same statements in top-level `describe`s of
# 100. Sourced by bench/run.sh; not part of `all` (it compiles 11,000 statements cold): run
# `bench/run.sh compile`. One run per row: the compile is the cost measured.
# shellcheck shell=bash
#
# Swift 6.3 type-checks a closure's statements as one constraint system whose cost grows with
# the square of their number, whatever the builder's shape; `infraspec` compiles large bodies
# from a copy whose statements sit in file-scope functions (SpecSourceSplitter), so both shapes
# should cost about the same. The one-describe row took 394 s before that.
#
# Environment: COMPILE_CHECKS (statements of the large spec, default 5000).

COMPILE_CHECKS=${COMPILE_CHECKS:-5000}

# write_scale_spec FILE STATEMENTS PER_BLOCK: a mix of the usual resources, PER_BLOCK statements
# to a top-level `describe` (PER_BLOCK >= STATEMENTS: one flat block).
write_scale_spec() {
  local file=$1 statements=$2 per=$3 i
  mkdir -p "$(dirname "$file")"
  {
    echo "import InfraSpec"
    echo
    for ((i = 0; i < statements; i++)); do
      if ((i % per == 0)); then
        ((i == 0)) || echo "}"
        echo "describe(\"block $((i / per))\") {"
      fi
      case $((i % 4)) in
        0) echo "  File(\"/etc/isp-$i\").exists()" ;;
        1) echo "  File(\"/etc/passwd\").mode(0o644).owner(\"root\")" ;;
        2) echo "  Package(\"isp-$i\").isNotInstalled()" ;;
        3) echo "  Port($((1000 + i))).isListening()" ;;
      esac
    done
    echo "}"
  } >"$file"
}

# compile_row LABEL STATEMENTS PER_BLOCK: compiles with `infraspec list` into a fresh cache.
compile_row() {
  local label=$1 statements=$2 per=$3 dir="$BENCH_TMP/compile-$2-$3" start end user_s sys_s rss_kib
  write_scale_spec "$dir/Specs/scale.swift" "$statements" "$per"
  start=${EPOCHREALTIME/[.,]/}
  (cd "$dir" && XDG_CACHE_HOME="$dir/cache" /usr/bin/time -f '%U %S %M' -o "$dir/time" \
    "$OLDPWD/$INFRASPEC" list Specs >"$dir/out" 2>"$dir/err") ||
    die "$label did not compile: $(tail -n 5 "$dir/err")"
  end=${EPOCHREALTIME/[.,]/}
  read -r user_s sys_s rss_kib <"$dir/time"
  printf '  %-40s %10s %10s %9s MiB\n' "$label" "$(format_seconds $((end - start)))" \
    "$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { printf "%.3f s", u + s }')" "$((rss_kib / 1024))"
  COMPILE_CPU[$label]=$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { print u + s }')
}

section_compile() {
  declare -gA COMPILE_CPU=()
  say "section compile"
  if ! infraspec_available; then
    printf '\ncompile: no executable at %s (build it, or set INFRASPEC)\n' "$INFRASPEC"
    return
  fi
  printf '\ncompiling large specs (cold cache, one run each)\n'
  printf '  %-40s %10s %10s %13s\n' "spec" "wall" "CPU" "peak RSS"
  compile_row "500 statements, 5 describes" 500 100
  compile_row "500 statements, one describe" 500 500
  compile_row "$COMPILE_CHECKS statements, describes of 100" "$COMPILE_CHECKS" 100
  compile_row "$COMPILE_CHECKS statements, one describe" "$COMPILE_CHECKS" "$COMPILE_CHECKS"
  printf '\ntargets\n'
  target "500 statements in describes of 100 < 2 s CPU" \
    "$(holds "${COMPILE_CPU[500 statements, 5 describes]} < 2")" ""
  target "$COMPILE_CHECKS statements in describes of 100 < 20 s CPU" \
    "$(holds "${COMPILE_CPU[$COMPILE_CHECKS statements, describes of 100]} < 20")" ""
  target "$COMPILE_CHECKS statements in one describe < 30 s CPU" \
    "$(holds "${COMPILE_CPU[$COMPILE_CHECKS statements, one describe]} < 30")" ""
}
