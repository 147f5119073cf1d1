#!/usr/bin/env bash
# Verifies the lab over SSH, the way InfraSpec reaches it: each host must answer with its own
# /etc/pop/pop.conf and an eth0 whose MAC and MTU match the inventory. Exits 1 if any host fails.
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case ${1:-} in
  "") ;;
  -h | --help)
    echo "usage: lab/check.sh   (prints one line per lab host; exit 0 only if all are as inventoried)"
    exit 0
    ;;
  *) die "lab/check.sh takes no arguments, got '$1'" ;;
esac
require_state

json_string() { grep -o "\"$1\":\"[^\"]*\"" <<<"$2" | head -n1 | cut -d'"' -f4; }
json_number() { grep -o "\"$1\":[0-9]*" <<<"$2" | head -n1 | cut -d: -f2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# All hosts are asked at once (20 short ssh clients at most), so a hung host costs one timeout.
while IFS=$'\t' read -r _ name _; do
  (
    rc=0
    timeout 20 ssh -F "$STATE_DIR/ssh_config" -n "$name" 'cat /etc/pop/pop.conf; ip -j link show eth0' \
      >"$work/$name.out" 2>"$work/$name.err" || rc=$?
    echo "$rc" >"$work/$name.rc"
  ) &
done <"$HOSTS_FILE"
wait

format='%-5s %-3s %-14s %-17s %-5s %-5s %s\n'
# shellcheck disable=SC2059
printf "$format" HOST REG ADDRESS MAC MTU STATE RESULT
failed=0
total=0
declare -A mac_owner=()
while IFS=$'\t' read -r _ name region v4 _ mtu mac; do
  total=$((total + 1))
  result=ok
  got_mac=- got_mtu=- got_state=-
  rc=$(cat "$work/$name.rc")
  if ((rc == 0)); then
    output=$(cat "$work/$name.out")
    link=$(grep '^\[' <<<"$output" | tail -n1 || true)
    got_pop=$(sed -n 's/^pop=//p' <<<"$output" | head -n1)
    got_mac=$(json_string address "$link")
    got_mtu=$(json_number mtu "$link")
    got_state=$(json_string operstate "$link")
    problems=()
    [[ $got_pop == "$name" ]] || problems+=("pop.conf names '${got_pop:-nothing}'")
    [[ $got_mac == "$mac" ]] || problems+=("mac expected $mac")
    [[ $got_mtu == "$mtu" ]] || problems+=("mtu expected $mtu")
    [[ $got_state == UP ]] || problems+=("eth0 is ${got_state:-unknown}")
    if [[ -n $got_mac && -n ${mac_owner[$got_mac]:-} ]]; then
      problems+=("same MAC as ${mac_owner[$got_mac]}")
    fi
    [[ -n $got_mac ]] && mac_owner[$got_mac]=${mac_owner[$got_mac]:-$name}
    if ((${#problems[@]})); then
      result=$(printf '%s; ' "${problems[@]}")
      result="FAIL: ${result%; }"
    fi
  else
    reason=$(grep -v '^\*\*' "$work/$name.err" | tail -n1)
    ((rc == 124)) && reason="no answer within 20 s"
    result="FAIL: ${reason:-ssh exit status $rc}"
  fi
  [[ $result == ok ]] || failed=$((failed + 1))
  # shellcheck disable=SC2059
  printf "$format" "$name" "$region" "$v4" "${got_mac:--}" "${got_mtu:--}" "${got_state:--}" "$result"
done <"$HOSTS_FILE"

if [[ -s $FAULTS_FILE ]]; then
  sed 's/^/fault injected: /' "$FAULTS_FILE"
fi
echo "$((total - failed)) of $total hosts ok"
((failed == 0))
