# Section "carry": the 100 local checks built into one file by `infraspec build`, beside
# `infraspec run` (warm); its size, its libraries and its start-up. Sourced by bench/run.sh.
# shellcheck shell=bash

section_carry() {
  local checks="$BENCH_TMP/carry/checks" none="--tag=infraspec-bench-selects-nothing"
  local rows=("infraspec run (warm)" "built binary" "infraspec run, start-up" "built binary, start-up")
  say "section carry"
  if ! infraspec_available; then
    unavailable "built binary" "no executable at $INFRASPEC (build it, or set INFRASPEC)"
    print_table "$EXPECTED_CHECKS local checks, carried" "infraspec run (warm)" "${rows[@]}"
    return
  fi
  XDG_CACHE_HOME="$BENCH_TMP/cache-warm" "$INFRASPEC" build "$LOCAL_SPEC" -o "$checks" >/dev/null ||
    die "infraspec build $LOCAL_SPEC failed"
  measure "infraspec run (warm)" verify_tap prepare_infraspec_warm no_finish \
    "$INFRASPEC" run "$LOCAL_SPEC" --format tap
  # The bare environment a carried binary meets: no toolchain, no library, no HOME.
  measure "built binary" verify_tap no_prepare no_finish env -i PATH=/usr/bin:/bin "$checks" --format tap
  # Start-up: everything before the first probe would run (no check selected).
  measure "infraspec run, start-up" verify_nothing_selected prepare_infraspec_warm no_finish \
    "$INFRASPEC" run "$LOCAL_SPEC" --format tap "$none"
  measure "built binary, start-up" verify_nothing_selected no_prepare no_finish \
    env -i PATH=/usr/bin:/bin "$checks" --format tap "$none"
  print_table "$EXPECTED_CHECKS local checks, carried" "infraspec run (warm)" "${rows[@]}"

  local bytes libraries
  bytes=$(stat -c %s "$checks")
  libraries=$(ldd "$checks" | awk '{ print $1 }' | grep -v '^linux-vdso' | tr '\n' ' ')
  printf '\nbuilt binary: %s MiB; needs %s\n' "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')" "$libraries"
  printf '\ntargets\n'
  target "built binary < 25 MiB" "$(holds "$bytes < 25 * 1048576")" \
    "$(awk -v b="$bytes" 'BEGIN { printf "%.1f MiB", b / 1048576 }')"
  target "no libswift* needed" "$(ldd "$checks" | grep -q libswift && echo 0 || echo 1)" ""
  target "built binary start-up < 20 ms" "$(holds "${WALL_US["built binary, start-up"]} < 20000")" \
    "$(format_seconds "${WALL_US["built binary, start-up"]}")"
}
