#!/usr/bin/env bash
# Injects a fault into one running lab host, for tests of how InfraSpec reports unreachable hosts.
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
usage: lab/fault.sh kill HOST      kill the host's sshd and its open sessions (connections refused)
       lab/fault.sh hang HOST      replace sshd with a listener that accepts and never answers
       lab/fault.sh restore HOST   undo kill or hang: start the host's sshd again
       lab/fault.sh status         show what serves port 22 on each host
HOST is a PoP name (lax1) or its namespace name (isl-lax1).
EOF
}

action=${1:-}
case $action in
  -h | --help)
    usage
    exit 0
    ;;
  kill | hang | restore)
    (($# == 2)) || {
      usage >&2
      die "'$action' needs exactly one HOST"
    }
    ;;
  status) (($# == 1)) || die "'status' takes no HOST" ;;
  *)
    usage >&2
    die "unknown action '${action}'"
    ;;
esac

require_root "$@"
require_state
take_lock

if [[ $action == status ]]; then
  while IFS=$'\t' read -r _ name _ v4 _ _ _; do
    if pid=$(sshd_pid "$name"); then
      state="sshd (pid $pid)"
    elif pid=$(hang_pid "$name"); then
      state="hanging listener (pid $pid)"
    else
      state="nothing listening"
    fi
    printf '%-5s %-14s %s\n' "$name" "$v4" "$state"
  done <"$HOSTS_FILE"
  exit 0
fi

record=$(host_record "$2")
IFS=$'\t' read -r _ name _ v4 v6 _ _ <<<"$record"
ns="$NS_PREFIX$name"

case $action in
  kill)
    # SIGKILL, not TERM: a crashed sshd gives its clients no goodbye, and that is the case to test.
    if pid=$(hang_pid "$name"); then
      stop_pids "$pid"
    fi
    stop_namespace_processes "$ns" KILL
    fault_clear "hang $name"
    fault_set "kill $name" "sshd killed; port 22 refuses connections"
    log "killed every process in $ns; ssh to $name ($v4) is now refused"
    ;;
  hang)
    stop_namespace_processes "$ns" KILL
    start_hang_listener "$name" "$v4" "$v6"
    wait_listening "$ns" "$v4" "$v6" ||
      die "the hanging listener on $name did not start (log: lab/state/$name/hang.log)"
    fault_clear "kill $name"
    fault_set "hang $name" "port 22 accepts connections and never sends an SSH banner"
    log "$name ($v4) now accepts TCP on port 22 and never answers"
    ;;
  restore)
    stop_host_servers "$name"
    start_sshd "$name"
    wait_listening "$ns" "$v4" "$v6" ||
      die "sshd of $name did not start listening (log: lab/state/$name/sshd.log)"
    fault_clear "kill $name"
    fault_clear "hang $name"
    log "$name ($v4) serves SSH again"
    ;;
esac
