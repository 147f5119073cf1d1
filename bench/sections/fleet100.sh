# Section "fleet100": the same 100 checks on 100 lab PoPs (lab/up.sh 100), after the fleet
# section's 1 and 20: how wall time, host CPU and InfraSpec's memory grow with the fleet.
# Sourced by bench/run.sh after sections/fleet.sh (`bench/run.sh fleet fleet100 floor`).
# shellcheck shell=bash

FLEET100_HOSTS=100

section_fleet100() {
  # The fleet section's helpers (lab up/down, host CPU, the TAP checks) serve here too.
  # shellcheck source=/dev/null
  [[ $(type -t section_fleet) == function ]] || source bench/sections/fleet.sh
  local FLEET_HOSTS=$FLEET100_HOSTS
  local hundred="InfraSpec (100 hosts, --jobs 100)" per_host=$EXPECTED_CHECKS
  local EXPECTED_CHECKS=$per_host
  say "section fleet100"
  if ! infraspec_available; then
    unavailable "$hundred" "no executable at $INFRASPEC (build it, or set INFRASPEC)"
    return
  fi
  local started=$SECONDS
  fleet_lab_up
  say "lab: $FLEET_HOSTS hosts up in $((SECONDS - started)) s"
  FLEET_HOME="$BENCH_TMP/fleet-home"
  mkdir -p "$FLEET_HOME"
  EXPECTED_CHECKS=$((per_host * FLEET_HOSTS))
  measure_fleet "$hundred" verify_fleet_all prepare_fleet finish_fleet \
    "$INFRASPEC" run "$LOCAL_SPEC" --format tap --inventory lab/state/inventory.ini \
    --known-hosts lab/state/known_hosts --jobs "$FLEET_HOSTS"
  fleet_lab_down

  local one="InfraSpec (1 host)" twenty="InfraSpec (20 hosts, --jobs 20)" rows=() label
  for label in "$one" "$twenty" "$hundred"; do has_result "$label" && rows+=("$label"); done
  print_table "$per_host checks per host, 1 to 100 lab hosts" "${rows[0]}" "${rows[@]}"
  printf 'CPU spent on the hosts (their sshd, shells and probes, on these same cores), per host:\n'
  local hosts
  for label in "${rows[@]}"; do
    [[ -n "${FLEET_REMOTE_MEDIAN[$label]:-}" ]] || continue
    case $label in "$one") hosts=1 ;; "$twenty") hosts=20 ;; *) hosts=100 ;; esac
    printf '  %-34s %7s ms\n' "$label" \
      "$(awk -v ms="${FLEET_REMOTE_MEDIAN[$label]}" -v n="$hosts" 'BEGIN { printf "%d", ms / n }')"
  done
  printf '(%d hosts on %s cores: at least %s wall, the CPU of tool and hosts over the cores)\n' \
    "$FLEET_HOSTS" "$(nproc)" "$(awk -v own="${CPU_MS[$hundred]}" -v hosts="${FLEET_REMOTE_MEDIAN[$hundred]}" \
      -v cores="$(nproc)" 'BEGIN { printf "%.3f s", (own + hosts) / cores / 1000 }')"
}
