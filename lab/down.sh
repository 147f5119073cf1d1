#!/usr/bin/env bash
# Removes everything lab/up.sh creates, also after a partial or failed up: processes in the lab
# namespaces, the namespaces, the bridge and veths, lab/state/ and the /etc/pop mount point.
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=lab/init.sh
source "$(dirname "${BASH_SOURCE[0]}")/init.sh"

case ${1:-} in
  "") ;;
  -h | --help)
    echo "usage: lab/down.sh   (removes the whole lab; safe to run when nothing is up)"
    exit 0
    ;;
  *) die "lab/down.sh takes no arguments, got '$1'" ;;
esac
require_root "$@"
started=$SECONDS
take_lock

# Containers first: their overlays must be unmounted before lab/state/ is removed.
stop_all_init_hosts

namespaces=$(lab_namespaces)
for ns in $namespaces; do
  stop_namespace_processes "$ns"
done

# A server whose namespace was deleted by hand keeps running in an unnamed namespace; its pid file
# or its command line (naming lab/state/) is the only handle left. Only sshd and perl qualify,
# so a client that merely reads lab/state/ (ssh -F, infraspec --inventory) is left alone.
orphans=()
for proc in /proc/[0-9]*; do
  pid=${proc#/proc/}
  exe=$(readlink "$proc/exe" 2>/dev/null) || continue
  case $exe in
    /usr/sbin/sshd | /usr/bin/perl* | /usr/bin/systemd-nspawn) ;;
    *) continue ;;
  esac
  lab_pid_alive "$pid" && orphans+=("$pid")
done
if ((${#orphans[@]})); then
  log "stopping ${#orphans[@]} lab server(s) outside any lab namespace: ${orphans[*]}"
  stop_pids "${orphans[@]}"
fi

# Links go first: deleting a root-side veth removes its pair at once, whereas a deleted
# namespace tears its devices down asynchronously and would leave them visible for a moment.
for link in $(lab_links); do
  ip link del "$link" 2>/dev/null || log "could not delete link $link"
done
for ns in $namespaces; do
  ip netns del "$ns" 2>/dev/null || log "could not delete namespace $ns"
done

if [[ -f $STATE_DIR/etc-pop-created ]]; then
  rmdir /etc/pop 2>/dev/null || log "left /etc/pop in place: it is not empty"
fi
rm -rf "$STATE_DIR"

left=$( (lab_namespaces; lab_links; findmnt -rn -o TARGET -t overlay | grep -F "$STATE_DIR/" || true) | tr '\n' ' ')
[[ -z ${left// /} ]] || die "still present after down: $left"
log "lab removed in $((SECONDS - started)) s"
