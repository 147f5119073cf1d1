# Section "fleet": the same 100 checks on 1 and on 20 hosts of the repository's lab, over SSH.
# Sourced by bench/run.sh.
# shellcheck shell=bash disable=SC2034  # RUN_ENV is read by measure (lib/measure.sh)
#
# lab/up.sh builds 20 PoP hosts (network namespaces with their own sshd) that share this
# machine's files except /etc/pop, so the local checks hold on each of them; lab/down.sh removes
# them when the section ends, a lab that was up before included. The hosts run on this machine's
# cores too: the CPU their sshd and probes spend is read from each sshd listener (which reaps every
# session under it) and printed under the table, apart from the tool's own CPU.
#
# BENCH_FLEET_TESTINFRA=1 adds Testinfra (paramiko, one process, hosts in turn) as a peer row when
# one trial run of it finishes within 60 s.

FLEET_HOSTS=20
FLEET_ONE=lax1
FLEET_LAB_UP=0
FLEET_HOME=""
# Host-side CPU milliseconds of each measured run of the row being measured.
FLEET_REMOTE_MS=()
FLEET_REMOTE_START=0
declare -A FLEET_REMOTE_MEDIAN=()

fleet_lab_up() {
  say "lab: bringing up $FLEET_HOSTS hosts"
  add_cleanup fleet_lab_down
  FLEET_LAB_UP=1
  bash lab/up.sh "$FLEET_HOSTS" >&2 || die "lab/up.sh $FLEET_HOSTS failed"
  [[ -s lab/state/inventory.ini && -s lab/state/known_hosts ]] ||
    die "lab/up.sh wrote no lab/state/inventory.ini or lab/state/known_hosts"
}

fleet_lab_down() {
  ((FLEET_LAB_UP)) || return 0
  bash lab/down.sh >&2 || true
  FLEET_LAB_UP=0
}

# utime + stime + cutime + cstime of every lab sshd listener, in milliseconds.
fleet_remote_cpu_ms() {
  local pidfile pid ticks=0
  for pidfile in lab/state/*/sshd.pid; do
    pid=$(cat "$pidfile" 2>/dev/null) || continue
    [[ -r "/proc/$pid/stat" ]] || continue
    # Fields 14 to 17, counted after the ")" closing the command name.
    ticks=$((ticks + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 + $14 + $15 }')))
  done
  echo $((ticks * 1000 / $(getconf CLK_TCK)))
}

# HOME is an empty directory and the agent is cut off, so that nothing of the user's ~/.ssh
# takes part: the inventory names the key, --known-hosts the host keys.
prepare_fleet() {
  RUN_ENV=(XDG_CACHE_HOME="$BENCH_TMP/cache-warm" HOME="$FLEET_HOME" SSH_AUTH_SOCK=)
  FLEET_REMOTE_START=$(fleet_remote_cpu_ms)
}

prepare_fleet_peer() { FLEET_REMOTE_START=$(fleet_remote_cpu_ms); }

finish_fleet() { FLEET_REMOTE_MS+=($(($(fleet_remote_cpu_ms) - FLEET_REMOTE_START))); }

# measure with the host-side CPU of each run recorded; the warm-up's is dropped.
measure_fleet() {
  local label=$1
  FLEET_REMOTE_MS=()
  measure "$@"
  FLEET_REMOTE_MEDIAN[$label]=$(median "${FLEET_REMOTE_MS[@]:1}")
}

# A run of the one host must have checked that host (its TAP names it), not this machine.
verify_fleet_one() {
  verify_tap "$@" || return 1
  grep -q "^# $FLEET_ONE: " "$1" || { say "the run did not check $FLEET_ONE"; return 1; }
}

verify_fleet_all() {
  local subtests
  verify_tap "$@" || return 1
  subtests=$(grep -c '^# Subtest: ' "$1" || true)
  ((subtests == FLEET_HOSTS)) || { say "$subtests hosts reported, not $FLEET_HOSTS"; return 1; }
}

# Testinfra's paramiko backend: one connection per host, hosts checked one after the other.
measure_fleet_testinfra() {
  local label=$1 hosts trial_status=0
  hosts=$(awk '/^[a-z]+[0-9]+ ansible_host=/ { print "paramiko://" $1 }' lab/state/inventory.ini | paste -sd,)
  local command=("${TESTINFRA[@]}" --hosts="$hosts" --ssh-config=lab/state/ssh_config "$TESTINFRA_SUITE")
  say "Testinfra on $FLEET_HOSTS hosts: one trial run, at most 60 s"
  timeout 60 "${command[@]}" >"$BENCH_TMP/testinfra-trial.out" 2>&1 || trial_status=$?
  if ((trial_status == 124)); then
    unavailable "$label" "one run takes more than 60 s"
    return
  fi
  verify_pytest "$BENCH_TMP/testinfra-trial.out" "$trial_status" ||
    die "Testinfra did not pass on the lab (trial run, exit status $trial_status)"
  measure_fleet "$label" verify_pytest prepare_fleet_peer finish_fleet "${command[@]}"
}

section_fleet() {
  local one="InfraSpec (1 host)" all="InfraSpec ($FLEET_HOSTS hosts, --jobs $FLEET_HOSTS)"
  local testinfra="Testinfra ($FLEET_HOSTS hosts, paramiko)"
  local title="$EXPECTED_CHECKS checks on lab hosts" rows=("$one" "$all") label
  # verify_tap counts against EXPECTED_CHECKS; the 20-host rows check every host.
  local per_host=$EXPECTED_CHECKS
  local EXPECTED_CHECKS=$per_host
  say "section fleet"
  fleet_lab_up
  FLEET_HOME="$BENCH_TMP/fleet-home"
  mkdir -p "$FLEET_HOME"
  local options=(--inventory lab/state/inventory.ini --known-hosts lab/state/known_hosts)

  if infraspec_available; then
    measure_fleet "$one" verify_fleet_one prepare_fleet finish_fleet \
      "$INFRASPEC" run "$LOCAL_SPEC" --format tap "${options[@]}" --limit "$FLEET_ONE"
    EXPECTED_CHECKS=$((per_host * FLEET_HOSTS))
    measure_fleet "$all" verify_fleet_all prepare_fleet finish_fleet \
      "$INFRASPEC" run "$LOCAL_SPEC" --format tap "${options[@]}" --jobs "$FLEET_HOSTS"
  else
    unavailable "$one" "no executable at $INFRASPEC (build it, or set INFRASPEC)"
    unavailable "$all" "no executable at $INFRASPEC"
  fi
  if [[ "${BENCH_FLEET_TESTINFRA:-0}" == 1 ]]; then
    rows+=("$testinfra")
    ensure_local_peers
    ensure_ssh_peers
    EXPECTED_CHECKS=$((per_host * FLEET_HOSTS))
    measure_fleet_testinfra "$testinfra"
  fi

  print_table "$title" "$one" "${rows[@]}"
  printf 'CPU spent on the hosts (their sshd, shells and probes, on these same cores):\n'
  for label in "${rows[@]}"; do
    [[ -n "${FLEET_REMOTE_MEDIAN[$label]:-}" ]] || continue
    printf '  %-34s %7s s\n' "$label" \
      "$(awk -v ms="${FLEET_REMOTE_MEDIAN[$label]}" 'BEGIN { printf "%.2f", ms / 1000 }')"
  done
  if has_result "$all"; then
    # The hosts share this machine's cores: no tool finishes before its CPU and theirs fit in.
    local floor
    floor=$(awk -v own="${CPU_MS[$all]}" -v hosts="${FLEET_REMOTE_MEDIAN[$all]}" -v cores="$(nproc)" \
      'BEGIN { printf "%.3f s", (own + hosts) / cores / 1000 }')
    printf '(%d hosts on %s cores: at least %s wall, the CPU of tool and hosts over the cores)\n' \
      "$FLEET_HOSTS" "$(nproc)" "$floor"
  fi
  fleet_targets "$one" "$all"
  fleet_lab_down
}

fleet_targets() {
  local one=$1 all=$2 ratio
  printf '\ntargets\n'
  if ! has_result "$one" || ! has_result "$all"; then
    target "$FLEET_HOSTS hosts <= 3x the wall of 1 host" n/a "InfraSpec not available"
    target "$FLEET_HOSTS hosts < 200 MiB peak RSS" n/a ""
    return
  fi
  ratio=$(awk -v a="${WALL_US[$all]}" -v b="${WALL_US[$one]}" 'BEGIN { printf "%.1f", a / b }')
  target "$FLEET_HOSTS hosts <= 3x the wall of 1 host" "$(holds "${WALL_US[$all]} <= 3 * ${WALL_US[$one]}")" \
    "${ratio}x ($(format_seconds "${WALL_US[$all]}") vs $(format_seconds "${WALL_US[$one]}"))"
  target "$FLEET_HOSTS hosts < 200 MiB peak RSS" "$(holds "${RSS_KIB[$all]} < 200 * 1024")" \
    "$(awk -v k="${RSS_KIB[$all]}" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
}
