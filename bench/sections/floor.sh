# Section "floor": what the benchmark's 100 checks cost the checked host, against the floor, and
# every target row of issue 12 with PASS or MISS. Sourced by bench/run.sh.
# shellcheck shell=bash disable=SC2034  # RUN_ENV is read by measure (lib/measure.sh)
#
# Host processes are counted the same way for every tool: strace follows the benchmark's sshd
# (`strace -f -e trace=execve -p SSHD`) while the tool runs the 100 checks once; every process
# that executed a program other than sshd itself counts once (a process that execs twice, as
# `setsid` does, is one process; the execve calls are printed beside it). sshd's own re-exec per
# connection is the login, the same for every tool, and is not counted.
#
# The 20-host rows come from the fleet section when it ran in the same invocation
# (`bench/run.sh fleet floor`); otherwise they print n/a.

source bench/sections/ssh.sh

declare -A HOST_PROCESSES=() HOST_EXECS=()

# count_host_processes LABEL COMMAND...: runs COMMAND once with strace on the benchmark's sshd.
count_host_processes() {
  local label=$1 trace="$BENCH_TMP/trace.$RANDOM" tracer
  shift
  strace -f -qq -e trace=execve -e signal=none -o "$trace" -p "$SSHD_PID" 2>/dev/null &
  tracer=$!
  # strace attaches asynchronously; the first traced line (none yet) cannot tell, so give it time.
  sleep 0.5
  (
    if ((${#RUN_ENV[@]})); then export "${RUN_ENV[@]}"; fi
    exec "$@"
  ) >"$BENCH_TMP/count.stdout" 2>"$BENCH_TMP/count.stderr" </dev/null || true
  sleep 0.3
  kill -INT "$tracer" 2>/dev/null || true
  wait "$tracer" 2>/dev/null || true
  # Lines are "PID execve("PATH", ...) = 0"; failed lookups along PATH (= -1 ENOENT) are not runs.
  HOST_PROCESSES[$label]=$(awk '/execve\(/ && / = 0$/ && $2 !~ /"\/usr\/sbin\/sshd"/ { print $1 }' "$trace" |
    sort -u | wc -l)
  HOST_EXECS[$label]=$(awk '/execve\(/ && / = 0$/ && $2 !~ /"\/usr\/sbin\/sshd"/' "$trace" | wc -l)
  # BENCH_FLOOR_TRACES=DIR keeps each trace, to see which programs the count is made of.
  if [[ -n "${BENCH_FLOOR_TRACES:-}" ]]; then
    mkdir -p "$BENCH_FLOOR_TRACES"
    cp "$trace" "$BENCH_FLOOR_TRACES/${label//[^A-Za-z0-9]/_}.trace"
  fi
  rm -f "$trace"
}

# Children's CPU (user + sys, ms) the benchmark's sshd has reaped: every session, its shells
# and probes, once they ended. The difference across a run is what the run cost the host.
sshd_children_cpu_ms() {
  sed 's/.*) //' "/proc/$SSHD_PID/stat" |
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }'
}

declare -A HOST_CPU_MS=()

# host_cpu LABEL COMMAND...: the median host CPU of 3 runs of COMMAND.
host_cpu() {
  local label=$1 before after samples=()
  shift
  for _ in 1 2 3; do
    before=$(sshd_children_cpu_ms)
    (
      if ((${#RUN_ENV[@]})); then export "${RUN_ENV[@]}"; fi
      exec "$@"
    ) >/dev/null 2>&1 </dev/null || true
    sleep 0.2
    after=$(sshd_children_cpu_ms)
    samples+=($((after - before)))
  done
  HOST_CPU_MS[$label]=$(median "${samples[@]}")
}

section_floor() {
  local infraspec="InfraSpec (libssh2)" testinfra="Testinfra (ssh, ControlMaster)"
  local serverspec="Serverspec (ssh)" one_true="one ssh login running true"
  say "section floor"
  command -v strace >/dev/null || apt_install strace
  ensure_local_peers
  ensure_ssh_peers
  start_sshd

  local have_infraspec=0
  if infraspec_available && infraspec_ssh_options; then have_infraspec=1; fi
  if ((have_infraspec)); then
    prepare_infraspec_ssh
    # The warm-up compiles the spec into the cache; only a warm run is counted.
    "$INFRASPEC" run "$LOCAL_SPEC" --format tap "${INFRASPEC_SSH_ARGS[@]}" >/dev/null 2>&1 || true
    count_host_processes "$infraspec" env "${RUN_ENV[@]}" \
      "$INFRASPEC" run "$LOCAL_SPEC" --format tap "${INFRASPEC_SSH_ARGS[@]}"
    verify_tap "$BENCH_TMP/count.stdout" 0 || die "InfraSpec did not pass under strace"
  fi
  local ssh_config="--ssh-config=$SSH_DIR/ssh_config"
  RUN_ENV=()
  count_host_processes "$testinfra" "${TESTINFRA[@]}" --hosts="ssh://$SSH_HOST_ALIAS" "$ssh_config" \
    "$TESTINFRA_SUITE"
  stop_ssh_master
  prepare_serverspec_ssh
  count_host_processes "$serverspec" "${SERVERSPEC[@]}" "$SERVERSPEC_SUITE"
  RUN_ENV=()
  count_host_processes "$one_true" ssh -F "$SSH_DIR/ssh_config" -o ControlPath=none "$SSH_HOST_ALIAS" true

  if ((have_infraspec)); then
    prepare_infraspec_ssh
    host_cpu "$infraspec" "$INFRASPEC" run "$LOCAL_SPEC" --format tap "${INFRASPEC_SSH_ARGS[@]}"
  fi
  RUN_ENV=()
  host_cpu "$one_true" ssh -F "$SSH_DIR/ssh_config" -o ControlPath=none "$SSH_HOST_ALIAS" true

  printf '\n%-36s %10s %10s %12s\n' "host cost of the 100 checks" processes execve "host CPU"

  local label
  for label in "$infraspec" "$testinfra" "$serverspec" "$one_true"; do
    if [[ -z "${HOST_PROCESSES[$label]:-}" ]]; then
      printf '%-36s %s\n' "$label" "not available"
      continue
    fi
    printf '%-36s %10s %10s %12s\n' "$label" "${HOST_PROCESSES[$label]}" "${HOST_EXECS[$label]}" \
      "${HOST_CPU_MS[$label]:+${HOST_CPU_MS[$label]} ms}"
  done
  printf '%-36s %10s\n' "floor: 5 Commands + one per fact kind" "about 20"

  # Wall time over SSH against one login running `true`, with rc files skipped (this sshd sets
  # SHLVL=1 unless BENCH_SSH_LOGIN_RC=1) and, on a second sshd, with the login user's ~/.bashrc.
  if ((have_infraspec)); then
    measure "$infraspec" verify_tap_over_ssh prepare_infraspec_ssh no_finish \
      "$INFRASPEC" run "$LOCAL_SPEC" --format tap "${INFRASPEC_SSH_ARGS[@]}"
  fi
  measure "$one_true" verify_exit_zero no_prepare no_finish \
    ssh -F "$SSH_DIR/ssh_config" -o ControlPath=none "$SSH_HOST_ALIAS" true
  stop_sshd
  local rc_infraspec="InfraSpec (libssh2, ~/.bashrc)" rc_true="ssh true (~/.bashrc)"
  BENCH_SSH_LOGIN_RC=1
  rm -rf "$BENCH_TMP/ssh"
  start_sshd
  if ((have_infraspec)) && infraspec_ssh_options; then
    measure "$rc_infraspec" verify_tap_over_ssh prepare_infraspec_ssh no_finish \
      "$INFRASPEC" run "$LOCAL_SPEC" --format tap "${INFRASPEC_SSH_ARGS[@]}"
  fi
  measure "$rc_true" verify_exit_zero no_prepare no_finish \
    ssh -F "$SSH_DIR/ssh_config" -o ControlPath=none "$SSH_HOST_ALIAS" true
  stop_sshd
  BENCH_SSH_LOGIN_RC=0

  # 100 local checks against Testinfra, measured here unless the local section already did.
  local warm="InfraSpec (warm)"
  if ! has_result "$warm" && infraspec_available; then
    measure "$warm" verify_tap prepare_infraspec_warm no_finish "$INFRASPEC" run "$LOCAL_SPEC" --format tap
  fi
  if ! has_result "Testinfra"; then
    measure "Testinfra" verify_pytest no_prepare no_finish "${TESTINFRA[@]}" "$TESTINFRA_SUITE"
  fi

  print_table "$EXPECTED_CHECKS checks, wall against the floor" "$one_true" \
    "$infraspec" "$one_true" "$rc_infraspec" "$rc_true" "$warm" "Testinfra"
  floor_targets
}

floor_targets() {
  local infraspec="InfraSpec (libssh2)" one_true="one ssh login running true"
  local rc_infraspec="InfraSpec (libssh2, ~/.bashrc)" rc_true="ssh true (~/.bashrc)"
  local warm="InfraSpec (warm)" ratio
  printf '\ntargets (issue 12)\n'
  if [[ -n "${HOST_PROCESSES[$infraspec]:-}" ]]; then
    target "host processes for 100 checks <= 30" "$(holds "${HOST_PROCESSES[$infraspec]} <= 30")" \
      "${HOST_PROCESSES[$infraspec]} (Testinfra ${HOST_PROCESSES["Testinfra (ssh, ControlMaster)"]:-?}, Serverspec ${HOST_PROCESSES["Serverspec (ssh)"]:-?})"
  else
    target "host processes for 100 checks <= 30" n/a "InfraSpec not available"
  fi
  if has_result "$infraspec"; then
    ratio=$(awk -v a="${WALL_US[$infraspec]}" -v b="${WALL_US[$one_true]}" 'BEGIN { printf "%.2f", a / b }')
    target "100 checks over SSH <= 1.2x ssh true (rc skipped)" "$(holds "$ratio <= 1.2")" \
      "${ratio}x ($(format_seconds "${WALL_US[$infraspec]}") vs $(format_seconds "${WALL_US[$one_true]}"))"
  else
    target "100 checks over SSH <= 1.2x ssh true (rc skipped)" n/a ""
  fi
  if has_result "$rc_infraspec"; then
    ratio=$(awk -v a="${WALL_US[$rc_infraspec]}" -v b="${WALL_US[$rc_true]}" 'BEGIN { printf "%.2f", a / b }')
    target "100 checks over SSH <= 1.5x ssh true (~/.bashrc)" "$(holds "$ratio <= 1.5")" \
      "${ratio}x ($(format_seconds "${WALL_US[$rc_infraspec]}") vs $(format_seconds "${WALL_US[$rc_true]}"))"
  else
    target "100 checks over SSH <= 1.5x ssh true (~/.bashrc)" n/a ""
  fi
  if has_result "$warm" && has_result "Testinfra"; then
    ratio=$(awk -v p="${WALL_US[Testinfra]}" -v w="${WALL_US[$warm]}" 'BEGIN { printf "%.1f", p / w }')
    target "100 local checks >= 15x faster than Testinfra" "$(holds "$ratio >= 15")" \
      "${ratio}x ($(format_seconds "${WALL_US[$warm]}") vs $(format_seconds "${WALL_US[Testinfra]}"))"
  else
    target "100 local checks >= 15x faster than Testinfra" n/a ""
  fi
  # On the benchmark's own sshd: what one host pays (sshd session, shells, probes).
  if [[ -n "${HOST_CPU_MS[$infraspec]:-}" ]]; then
    target "host CPU for one host's 100 checks <= 50 ms" "$(holds "${HOST_CPU_MS[$infraspec]} <= 50")" \
      "${HOST_CPU_MS[$infraspec]} ms (one login running true: ${HOST_CPU_MS["one ssh login running true"]:-?} ms)"
  fi
  # The fleet section's rows, when it ran before this one.
  local one="InfraSpec (1 host)" all="InfraSpec (${FLEET_HOSTS:-20} hosts, --jobs ${FLEET_HOSTS:-20})"
  if has_result "$all" && has_result "$one"; then
    ratio=$(awk -v a="${WALL_US[$all]}" -v b="${WALL_US[$one]}" 'BEGIN { printf "%.1f", a / b }')
    target "20 lab hosts wall <= 3x one host" "$(holds "$ratio <= 3")" "${ratio}x"
    local per_host
    per_host=$(awk -v ms="${FLEET_REMOTE_MEDIAN[$all]:-0}" -v n="${FLEET_HOSTS:-20}" 'BEGIN { printf "%d", ms / n }')
    target "host CPU per host <= 50 ms" "$(holds "$per_host <= 50")" "${per_host} ms"
    target "InfraSpec peak memory on 20 hosts < 100 MiB" "$(holds "${RSS_KIB[$all]} < 100 * 1024")" \
      "$(awk -v k="${RSS_KIB[$all]}" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
  else
    target "20 lab hosts wall <= 3x one host" n/a "run the fleet section first: bench/run.sh fleet floor"
    target "host CPU per host <= 50 ms" n/a ""
    target "InfraSpec peak memory on 20 hosts < 100 MiB" n/a ""
  fi
  # The fleet100 section's row, when it ran before this one: the hosts share this machine's
  # cores, so the wall can only grow with them; what must not grow is the cost per host.
  local hundred="InfraSpec (100 hosts, --jobs 100)"
  if has_result "$hundred" && has_result "$all"; then
    ratio=$(awk -v a="${WALL_US[$hundred]}" -v b="${WALL_US[$all]}" 'BEGIN { printf "%.1f", a / b }')
    target "100 PoPs wall <= 5x 20 PoPs (linear)" "$(holds "$ratio <= 5")" \
      "${ratio}x ($(format_seconds "${WALL_US[$hundred]}") vs $(format_seconds "${WALL_US[$all]}"))"
    target "InfraSpec peak memory on 100 hosts < 200 MiB" "$(holds "${RSS_KIB[$hundred]} < 200 * 1024")" \
      "$(awk -v k="${RSS_KIB[$hundred]}" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
  else
    target "100 PoPs wall <= 5x 20 PoPs (linear)" n/a "run bench/run.sh fleet fleet100 floor"
    target "InfraSpec peak memory on 100 hosts < 200 MiB" n/a ""
  fi
}
