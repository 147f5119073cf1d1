# Section "edgelab": 50 TLS and HTTP checks (50 connections) against a lab PoP's edge, from the
# PoP's side over SSH; and the peer: the same 50 as openssl s_client and curl processes run on
# the PoP through one ssh session. Sourced by bench/run.sh.
# shellcheck shell=bash disable=SC2034  # RUN_ENV and EXPECTED_CHECKS are read by lib/measure.sh
#
# lab/up.sh 1 builds lax1 and lab/edge.sh starts its nginx on the PoP's own 127.0.0.1, so every
# connection is a direct-tcpip channel of InfraSpec's one SSH connection (for the peer, a process
# on the PoP). lab/down.sh removes the lab when the section ends, a lab that was up before
# included. Each check has its own SNI name (the lab's leaf covers *.img.pop.test) or request
# header, so none shares a connection with another.

EDGELAB_POP=lax1
EDGELAB_UP=0
EDGELAB_HOME=""

edgelab_up() {
  say "lab: bringing up $EDGELAB_POP with its edge"
  add_cleanup edgelab_down
  EDGELAB_UP=1
  bash lab/up.sh 1 >&2 || die "lab/up.sh 1 failed"
  bash lab/edge.sh start "$EDGELAB_POP" >&2 || die "lab/edge.sh start $EDGELAB_POP failed"
}

edgelab_down() {
  ((EDGELAB_UP)) || return 0
  bash lab/down.sh >&2 || true
  EDGELAB_UP=0
}

write_edgelab_spec() {
  local spec=$1 i
  {
    echo "import InfraSpec"
    echo
    echo "describe(\"edge50\", hosts: \"pops\") {"
    for ((i = 0; i < 25; i++)); do
      printf '  TLS("n%d.img.pop.test", port: 8443, via: "127.0.0.1").covers("n%d.img.pop.test")\n' "$i" "$i"
      printf '  HTTP("https://www.pop.test:8443/", via: "127.0.0.1", headers: ["X-Run": "%d"]).status(200)\n' "$i"
    done
    echo "}"
  } >"$spec"
}

# The peer's 50 on the PoP: a handshake that must verify for its name, a request that must be 200.
write_edgelab_peer_script() {
  local script=$1 i
  {
    echo "set -e"
    for ((i = 0; i < 25; i++)); do
      echo "openssl s_client -connect 127.0.0.1:8443 -servername n$i.img.pop.test -verify_hostname n$i.img.pop.test" \
        "-CAfile /etc/pop/tls/ca.pem -verify_return_error </dev/null >/dev/null 2>&1"
      echo "[ \"\$(curl -sS -o /dev/null -w '%{http_code}' --cacert /etc/pop/tls/ca.pem" \
        "--resolve www.pop.test:8443:127.0.0.1 -H 'X-Run: $i' https://www.pop.test:8443/)\" = 200 ]"
    done
  } >"$script"
}

# HOME is an empty directory and the agent is cut off (as in the fleet section): the inventory
# names the key, --known-hosts the host keys.
prepare_edgelab() { RUN_ENV=(XDG_CACHE_HOME="$BENCH_TMP/cache-warm" HOME="$EDGELAB_HOME" SSH_AUTH_SOCK=); }

verify_edgelab() {
  verify_tap "$@" || return 1
  grep -q "^# $EDGELAB_POP: " "$1" || { say "the run did not check $EDGELAB_POP"; return 1; }
}

section_edgelab() {
  local title="50 TLS/HTTP checks on a lab PoP" warm="InfraSpec (over SSH, warm)"
  local peer="openssl+curl (1 ssh, 50 processes)"
  local rows=("$warm" "$peer")
  local EXPECTED_CHECKS=50
  say "section edgelab"
  command -v curl >/dev/null || apt_install curl
  edgelab_up
  EDGELAB_HOME="$BENCH_TMP/edgelab-home"
  mkdir -p "$EDGELAB_HOME"
  if infraspec_available; then
    write_edgelab_spec "$BENCH_TMP/edgelab50.swift"
    measure "$warm" verify_edgelab prepare_edgelab no_finish \
      "$INFRASPEC" run "$BENCH_TMP/edgelab50.swift" --format tap --inventory lab/state/inventory.ini \
      --known-hosts lab/state/known_hosts --limit "$EDGELAB_POP"
  else
    unavailable "$warm" "no executable at $INFRASPEC (build it, or set INFRASPEC)"
  fi
  write_edgelab_peer_script "$BENCH_TMP/edgelab-peer.sh"
  measure "$peer" verify_exit_zero no_prepare no_finish \
    sh -c 'exec ssh -F lab/state/ssh_config "$0" bash -s <"$1"' "$EDGELAB_POP" "$BENCH_TMP/edgelab-peer.sh"
  print_table "$title" "$warm" "${rows[@]}"
  edgelab_down
}
