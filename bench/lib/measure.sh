# Timing, verification and the results table for bench/run.sh. Sourced, not run.
# shellcheck shell=bash
#
# Each measured command runs once as a warm-up and then $RUNS times; every run, the warm-up
# included, must pass its verifier or the benchmark stops: a fast failing suite measures nothing.
# Wall time comes from bash's microsecond clock around the run (GNU time prints only hundredths,
# too coarse for a 50 ms run); CPU (user + sys) and peak RSS come from GNU time, i.e. from wait4()
# rusage over the process tree it waited for. Peak RSS is the largest single process in that tree,
# not the sum. Each row reports the median.

RUNS=${RUNS:-5}

declare -A WALL_US=() CPU_MS=() RSS_KIB=() UNAVAILABLE=()

# Set by a prepare hook right before each run: VAR=value words exported into that run only.
RUN_ENV=()
# Set by a finish hook right after each run: CPU milliseconds spent by processes the run started
# but did not wait for (an SSH master left to persist), which GNU time cannot see.
RUN_EXTRA_CPU_MS=0

no_prepare() { :; }
no_finish() { :; }

median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# measure LABEL VERIFIER PREPARE FINISH COMMAND...
#   VERIFIER is called as `VERIFIER STDOUT_FILE EXIT_STATUS` and returns non-zero with a reason
#   on stderr when the run did not pass; PREPARE runs untimed before every run (fresh caches) and
#   may fill RUN_ENV; FINISH runs untimed after every run (closing an SSH master) and may set
#   RUN_EXTRA_CPU_MS.
measure() {
  local label=$1 verifier=$2 prepare=$3 finish=$4
  shift 4
  local out="$BENCH_TMP/run.stdout" err="$BENCH_TMP/run.stderr" usage="$BENCH_TMP/run.time"
  local walls=() cpus=() rsss=() run start end status user_s sys_s rss_kib
  say "measuring $label (1 warm-up + $RUNS runs)"
  for ((run = 0; run <= RUNS; run++)); do
    RUN_ENV=()
    RUN_EXTRA_CPU_MS=0
    "$prepare"
    status=0
    start=${EPOCHREALTIME/[.,]/}
    (
      if ((${#RUN_ENV[@]})); then export "${RUN_ENV[@]}"; fi
      exec /usr/bin/time -f '%U %S %M' -o "$usage" "$@"
    ) >"$out" 2>"$err" </dev/null || status=$?
    end=${EPOCHREALTIME/[.,]/}
    "$finish"
    if ! "$verifier" "$out" "$status"; then
      printf '%s\n' "--- $label: last lines of stdout" >&2
      tail -n 25 "$out" >&2
      printf '%s\n' "--- $label: last lines of stderr" >&2
      tail -n 25 "$err" >&2
      die "$label did not pass (run $run, exit status $status): the benchmark only measures passing suites"
    fi
    ((run > 0)) || continue
    # GNU time writes "Command exited with non-zero status N" first when a run fails.
    read -r user_s sys_s rss_kib < <(tail -n 1 "$usage")
    walls+=($((end - start)))
    cpus+=("$(awk -v u="$user_s" -v s="$sys_s" -v x="$RUN_EXTRA_CPU_MS" \
      'BEGIN { printf "%d", (u + s) * 1000 + x + 0.5 }')")
    rsss+=("$rss_kib")
  done
  WALL_US[$label]=$(median "${walls[@]}")
  CPU_MS[$label]=$(median "${cpus[@]}")
  RSS_KIB[$label]=$(median "${rsss[@]}")
}

unavailable() { UNAVAILABLE[$1]=$2; }

has_result() { [[ -n "${WALL_US[$1]:-}" ]]; }

# The cost of the harness itself (fork, exec of /usr/bin/time), included in every wall time.
measure_overhead() {
  measure "harness overhead" verify_exit_zero no_prepare no_finish true
}

verify_exit_zero() {
  [[ $2 -eq 0 ]] || { say "exit status $2"; return 1; }
}

# A run whose selection matched no check: exit 3 ("nothing to check"), reached after everything
# a run does before its first probe, which is what the start-up rows time.
verify_nothing_selected() {
  [[ $2 -eq 3 ]] || { say "exit status $2, not 3 (nothing to check)"; return 1; }
}

# TAP from `infraspec run --format tap`: exit 0, no `not ok`, no SKIP/TODO, and exactly
# $EXPECTED_CHECKS passing test points. A subtest's closing `ok` line (one per `# Subtest:`)
# summarises its children, so it is not a check of its own.
verify_tap() {
  local counts passed failed skipped
  verify_exit_zero "$@" || return 1
  counts=$(awk '
    /^[ \t]*# Subtest/ { subtests++ }
    /^[ \t]*not ok/ { failed++; next }
    /^[ \t]*ok / { passed++; if (toupper($0) ~ /# *(SKIP|TODO)/) skipped++ }
    END { printf "%d %d %d", passed - subtests, failed, skipped }' "$1")
  read -r passed failed skipped <<<"$counts"
  if ((failed || skipped || passed != EXPECTED_CHECKS)); then
    say "TAP: $passed passed, $failed failed, $skipped skipped or todo; expected $EXPECTED_CHECKS passed"
    return 1
  fi
}

verify_pytest() {
  verify_exit_zero "$@" || return 1
  # Warnings are fine (paramiko warns about the host key it cannot verify); anything else is not.
  grep -Eq "^$EXPECTED_CHECKS passed(, [0-9]+ warnings?)? in [0-9.]+s" "$1" ||
    { say "pytest did not report exactly '$EXPECTED_CHECKS passed'"; return 1; }
}

verify_rspec() {
  verify_exit_zero "$@" || return 1
  grep -Eq "^$EXPECTED_CHECKS examples, 0 failures$" "$1" ||
    { say "rspec did not report exactly '$EXPECTED_CHECKS examples, 0 failures'"; return 1; }
}

format_seconds() { awk -v us="$1" 'BEGIN { printf "%.3f s", us / 1e6 }'; }

# print_table TITLE BASELINE LABEL...: one row per label, "vs" is each wall time over BASELINE's.
print_table() {
  local title=$1 baseline=$2 label ratio
  shift 2
  printf '\n%-36s %10s %9s %10s %13s\n' "$title" wall cpu "peak RSS" "vs ${baseline%% (*}"
  for label in "$@"; do
    if ! has_result "$label"; then
      printf '%-36s %s\n' "$label" "not available: ${UNAVAILABLE[$label]:-not measured}"
      continue
    fi
    ratio="-"
    if has_result "$baseline"; then
      ratio=$(awk -v a="${WALL_US[$label]}" -v b="${WALL_US[$baseline]}" \
        'BEGIN { printf "%.1fx", a / b }')
    fi
    printf '%-36s %10s %7s s %6s MiB %13s\n' "$label" \
      "$(format_seconds "${WALL_US[$label]}")" \
      "$(awk -v ms="${CPU_MS[$label]}" 'BEGIN { printf "%.2f", ms / 1000 }')" \
      "$(awk -v kib="${RSS_KIB[$label]}" 'BEGIN { printf "%.1f", kib / 1024 }')" \
      "$ratio"
  done
}

MISSED_TARGETS=0

# target NAME OK DETAIL: OK is 1 (met), 0 (missed) or "n/a" (nothing to judge yet).
target() {
  local name=$1 ok=$2 detail=$3 verdict
  case $ok in
    1) verdict=PASS ;;
    0) verdict=MISS; MISSED_TARGETS=$((MISSED_TARGETS + 1)) ;;
    *) verdict=n/a ;;
  esac
  if [[ -n "$detail" ]]; then
    printf '  %-4s  %-48s %s\n' "$verdict" "$name" "$detail"
  else
    printf '  %-4s  %s\n' "$verdict" "$name"
  fi
}

# awk does the comparisons so that fractional values need no bash arithmetic.
holds() { awk "BEGIN { exit !($1) }" && echo 1 || echo 0; }
