#!/usr/bin/env bash
# The workshop on stage: test-driven infrastructure against the lab's PoPs, one step at a time.
# Each step says what to tell the room and what runs; every break is shown red with its cause
# named, then fixed and shown green. Interactive by default (Enter moves on); --yes runs it all
# unattended and fails as soon as a step does not turn the colour it should (CI runs it so).
#
#   sudo lab/demo.sh [--yes] [--keep]
#
#   --yes    do not wait for Enter
#   --keep   leave the lab up at the end (default: lab/down.sh)
#
# INFRASPEC names the infraspec binary (default: .build/debug/infraspec, else the one on PATH).
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LAB_DIR/.."

yes=0
keep=0
for argument in "$@"; do
  case $argument in
    --yes | -y) yes=1 ;;
    --keep) keep=1 ;;
    -h | --help)
      sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) die "unknown argument '$argument' (try --help)" ;;
  esac
done
require_root "$@"

infraspec=${INFRASPEC:-}
if [[ -z $infraspec ]]; then
  if [[ -x .build/debug/infraspec ]]; then infraspec=.build/debug/infraspec; else infraspec=$(command -v infraspec || true); fi
fi
[[ -n $infraspec && -x $infraspec ]] || die "no infraspec binary: run swift build, or set INFRASPEC"

spec=Specs/Examples/demo
pops=(lax1 fra1 nrt1 ams1)
run_line="infraspec run $spec --inventory lab/state/inventory.ini --known-hosts lab/state/known_hosts"
number=0
output=$(mktemp)
trap 'rm -f "$output"' EXIT

bold() { if [[ -t 1 ]]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }

pause() {
  ((yes)) && return 0
  read -r -p "    (Enter)" _ </dev/tty || true
}

# A new step: its title and what the presenter says.
step() {
  number=$((number + 1))
  printf '\n'
  bold "━━ step $number: $1"
  printf '  say: %s\n' "$2"
}

# Shows a command, waits, runs it.
do_run() {
  printf '  run: %s\n' "$*"
  pause
  "$@"
}

# Runs the spec against the fleet, as the audience sees it.
check() {
  printf '  run: %s\n' "$run_line"
  pause
  local status=0
  "$infraspec" run "$spec" --inventory lab/state/inventory.ini --known-hosts lab/state/known_hosts \
    --connect-timeout 15 --format human >"$output" 2>&1 || status=$?
  sed 's/^/    /' "$output"
  return "$status"
}

expect_green() {
  local status=0
  check || status=$?
  ((status == 0)) || die "step $number: expected every check green, the run ended with $status"
  echo "demo: step $number green"
}

# expect_red HOST CAUSE...: the run fails, the host is marked failed and each CAUSE is printed.
expect_red() {
  local host=$1 status=0 cause
  shift
  check || status=$?
  ((status == 1)) || die "step $number: expected a failed check (exit 1), the run ended with $status"
  # A fleet assertion names its hosts in its cause; a host's own failures mark the host.
  [[ $host == fleet ]] || grep -q "✗ $host: " "$output" || die "step $number: expected $host to be red"
  for cause in "$@"; do
    grep -qF -- "$cause" "$output" || die "step $number: expected the cause to be named: $cause"
  done
  echo "demo: step $number red on $host: $*"
}

step "bring up the PoPs" \
  "Four points of presence on this laptop: network namespaces with their own sshd, MAC, secrets, an nginx edge (cache and HTTPS) and a signed zone. Nothing leaves the machine."
do_run bash lab/up.sh 4
for pop in "${pops[@]}"; do bash lab/edge.sh start "$pop"; done
printf '  tip: in a second terminal, keep the spec running: %s --watch\n' "$run_line"

step "the spec, green" \
  "This is the spec: what every PoP must look like, checked over SSH from each PoP's own point of view. Everything passes."
printf '  show: %s/pop.swift\n' "$spec"
expect_green

step "a duplicated MAC" \
  "Someone cloned a VM: fra1 now has lax1's MAC. Each host looks fine alone; the fleet assertion compares them and names both."
do_run bash lab/up.sh --duplicate-mac 4
expect_red fleet "mac: is unique per host" "got 02:00:00:00:00:01 on lax1, fra1"
printf '  say: fix it and run again.\n'
do_run bash lab/up.sh 4
expect_green

step "one secret on every PoP" \
  "A deploy copied lax1's service key to fra1. The file is there, mode 0600, owned by root: only comparing digests across the fleet shows it."
do_run bash lab/up.sh --shared-secret 4
expect_red fleet "service.key sha256: is unique per host" "on lax1, fra1"
do_run bash lab/up.sh 4
expect_green

step "a DNSSEC signature past its expiry" \
  "nrt1's zone was signed once and never again: its signatures expired yesterday. Resolvers that validate now fail the whole zone."
do_run bash lab/edge.sh expire-dnssec nrt1
expect_red nrt1 "dnssec pop.test"
do_run bash lab/edge.sh resign nrt1
expect_green

step "a certificate about to expire" \
  "ams1 got a certificate that expires in 5 days. It still works today: the check says how long it has left, as stored and as served."
do_run bash lab/edge.sh expire ams1
expect_red ams1 "certificate /etc/pop/tls/pop.pem" "tls www.pop.test:8443"
do_run bash lab/edge.sh renew ams1
expect_green

step "a cache that stops serving stale" \
  "Cut fra1's origin: the cache serves the page stale, so the spec stays green. Then a bad deploy drops proxy_cache_use_stale: the same outage now reaches users."
do_run bash lab/edge.sh cut-origin fra1
expect_green
do_run bash lab/edge.sh no-stale fra1
expect_red fra1 "http http://www.pop.test:8080/: status: expected 200, got 502"
printf '  say: put proxy_cache_use_stale back; the origin is still down, and the page is served again.\n'
do_run bash lab/edge.sh stale fra1
expect_green
do_run bash lab/edge.sh restore-origin fra1

if ((keep)); then
  step "the end" "The lab stays up: lab/down.sh removes it."
else
  step "the end" "Everything goes away again: namespaces, servers, files."
  do_run bash lab/down.sh
fi
echo "demo: done"
