#!/usr/bin/env bash
# InfraSpec benchmark: the same 100 checks with InfraSpec, Testinfra and Serverspec, timed side by
# side. Run from anywhere; paths are resolved from the repository root.
#
#   bench/run.sh                 the local section
#   bench/run.sh local ssh       several sections, in order (`all`: every section)
#   bench/run.sh --strict ...    exit 3 when a target is missed
#
# Environment: INFRASPEC (default .build/release/infraspec), RUNS (measured runs per row after
# one warm-up, default 5), PYTHON (default python3); for the ssh section BENCH_SSH_LOGIN_RC=1
# lets the login user's ~/.bashrc run on every exec, BENCH_SSH_NO_MUX=1 adds Testinfra without
# connection sharing (one SSH connection per command: slow); BENCH_FLEET_TESTINFRA=1 adds
# Testinfra on the 20 lab hosts to the fleet section (skipped when a run takes over 60 s).
#
# A section is a file sections/NAME.sh defining section_NAME: it installs what it needs, measures
# rows with `measure` (lib/measure.sh) and prints its table and targets.
set -euo pipefail

# EPOCHREALTIME and awk's number formatting must not depend on the caller's locale.
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/.."

source bench/lib/common.sh
source bench/lib/measure.sh

# Sections in the order `all` runs them; add new ones here and in bench/sections/.
ALL_SECTIONS=(local ssh dns fleet fleet100 edge edgelab carry floor zone)
STRICT=0
SECTIONS=()
for argument in "$@"; do
  case $argument in
    --strict) STRICT=1 ;;
    -h | --help)
      sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*) die "unknown option $argument (try --help)" ;;
    all) SECTIONS+=("${ALL_SECTIONS[@]}") ;;
    *)
      [[ -f "bench/sections/$argument.sh" ]] || die "no section '$argument' (bench/sections/*.sh)"
      SECTIONS+=("$argument")
      ;;
  esac
done
((${#SECTIONS[@]})) || SECTIONS=(local)
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"

INFRASPEC=${INFRASPEC:-.build/release/infraspec}
EXPECTED_CHECKS=100

# Other pytest plugins installed on the machine slow every pytest run (by 0.7 s where this was
# written); Testinfra is measured at its best, as the only plugin (sections pass -p testinfra.plugin).
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1

resolve_python
source bench/lib/suites.sh
make_scratch

# Python caches compiled bytecode (and pytest its rewritten test modules) between runs, as on any
# developer machine; the cache goes to the scratch directory, not into the repository.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$BENCH_TMP/pycache"
[[ -x /usr/bin/time ]] || apt_install time

# The three suites come from one table; refuse to measure suites that have drifted from it.
"$PYTHON" bench/gen_local100.py --check

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
measure_overhead
for section in "${SECTIONS[@]}"; do
  # shellcheck source=/dev/null
  source "bench/sections/$section.sh"
  "section_$section"
done

printf '\nmedian of %d runs after one warm-up; wall includes %.1f ms of harness overhead\n' \
  "$RUNS" "$(awk -v us="${WALL_US[harness overhead]}" 'BEGIN { print us / 1000 }')"
# Wall times stretch on a busy machine while CPU times do not: say how busy it was.
printf '%s CPUs, load average %s at start, %s at end\n' "$(nproc)" "$LOAD_AT_START" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"

if ((STRICT && MISSED_TARGETS)); then
  exit 3
fi
