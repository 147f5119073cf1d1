# Section "local": the same 100 checks on this machine. Sourced by bench/run.sh.
# shellcheck shell=bash

section_local() {
  local title="$EXPECTED_CHECKS local checks"
  local rows=("InfraSpec (warm)" "InfraSpec (cold compile)" "Testinfra" "Serverspec")
  say "section local"
  ensure_local_peers

  if infraspec_available; then
    measure "InfraSpec (warm)" verify_tap prepare_infraspec_warm no_finish \
      "$INFRASPEC" run "$LOCAL_SPEC" --format tap
    measure "InfraSpec (cold compile)" verify_tap prepare_infraspec_cold no_finish \
      "$INFRASPEC" run "$LOCAL_SPEC" --format tap
  else
    unavailable "InfraSpec (warm)" "no executable at $INFRASPEC (build it, or set INFRASPEC)"
    unavailable "InfraSpec (cold compile)" "no executable at $INFRASPEC"
  fi
  measure "Testinfra" verify_pytest no_prepare no_finish "${TESTINFRA[@]}" "$TESTINFRA_SUITE"
  measure "Serverspec" verify_rspec no_prepare no_finish "${SERVERSPEC[@]}" "$SERVERSPEC_SUITE"

  print_table "$title" "InfraSpec (warm)" "${rows[@]}"
  local_targets
}

local_targets() {
  local warm="InfraSpec (warm)" cold="InfraSpec (cold compile)" peer fastest=""
  for peer in Testinfra Serverspec; do
    if [[ -z "$fastest" ]] || ((${WALL_US[$peer]} < ${WALL_US[$fastest]})); then
      fastest=$peer
    fi
  done
  printf '\ntargets\n'
  if ! has_result "$warm"; then
    target "warm run >= 10x faster than the fastest peer" n/a "InfraSpec not available"
    target "warm run < 0.2 s wall" n/a ""
    target "warm run < 60 MiB peak RSS" n/a ""
    target "cold compile and run < 2 s wall" n/a ""
    return
  fi
  local speedup
  speedup=$(awk -v p="${WALL_US[$fastest]}" -v w="${WALL_US[$warm]}" 'BEGIN { printf "%.1f", p / w }')
  target "warm run >= 10x faster than the fastest peer" "$(holds "$speedup >= 10")" \
    "${speedup}x ($fastest $(format_seconds "${WALL_US[$fastest]}"))"
  target "warm run < 0.2 s wall" "$(holds "${WALL_US[$warm]} < 200000")" \
    "$(format_seconds "${WALL_US[$warm]}")"
  target "warm run < 60 MiB peak RSS" "$(holds "${RSS_KIB[$warm]} < 60 * 1024")" \
    "$(awk -v k="${RSS_KIB[$warm]}" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
  target "cold compile and run < 2 s wall" "$(holds "${WALL_US[$cold]} < 2000000")" \
    "$(format_seconds "${WALL_US[$cold]}")"
}
