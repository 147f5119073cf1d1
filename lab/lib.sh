# shellcheck shell=bash disable=SC2034
# Shared by up.sh, down.sh, check.sh and fault.sh: naming, addressing and process control,
# so every script agrees on what belongs to the lab and nothing else is ever touched.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_DIR="$LAB_DIR/state"
HOSTS_FILE="$STATE_DIR/hosts"
FAULTS_FILE="$STATE_DIR/faults"
BRIDGE=isl-br0
BRIDGE_MAC=02:00:00:00:00:fe
BRIDGE_MTU=9000
NS_PREFIX=isl-
V6_PREFIX=2001:db8:0:1
V6_GATEWAY="$V6_PREFIX::fe"
# Documentation ranges tried in order; the first one the machine does not already route is used.
V4_CANDIDATES=(192.0.2 198.51.100 203.0.113)
MAX_HOSTS=100
HANG_LIFETIME_SECONDS=14400

# The order mixes regions so that a small lab (N=4) already has several groups.
POP_NAMES=(lax1 fra1 nrt1 ams1 iad1 sin1 gru1 lhr1 ord1 syd1 cdg1 sea1 hkg1 mad1 dfw1 bom1 waw1 mia1 scl1 ewr1)
POP_REGIONS=(us eu ap eu us ap sa eu us ap eu us ap eu us ap eu us sa us)
POP_CITIES=("Los Angeles" "Frankfurt" "Tokyo" "Amsterdam" "Ashburn" "Singapore" "Sao Paulo" "London"
  "Chicago" "Sydney" "Paris" "Seattle" "Hong Kong" "Madrid" "Dallas" "Mumbai" "Warsaw" "Miami"
  "Santiago" "Newark")
# PoPs 21 to 100 (a fleet benchmark's sizes): the same twenty sites' second to fifth PoPs, lax2 to
# ewr5, in the same order, so the first twenty stay what every test and spec knows.
for ((lab_round = 2; lab_round <= MAX_HOSTS / 20; lab_round++)); do
  for ((lab_site = 0; lab_site < 20; lab_site++)); do
    POP_NAMES+=("${POP_NAMES[lab_site]%1}$lab_round")
    POP_REGIONS+=("${POP_REGIONS[lab_site]}")
    POP_CITIES+=("${POP_CITIES[lab_site]} $lab_round")
  done
done
unset lab_round lab_site

log() { printf 'lab: %s\n' "$*" >&2; }
die() {
  printf 'lab: error: %s\n' "$*" >&2
  exit 1
}

require_root() {
  [[ $EUID -eq 0 ]] || die "must run as root (namespaces, bridge and sshd need it); try: sudo $0 $*"
}

# Serialises lab commands: a second up/down/fault waits instead of racing on the same links.
take_lock() {
  exec 9<"$LAB_DIR"
  flock -w 120 9 || die "another lab command holds the lock on $LAB_DIR for over 120 s"
}

host_mac() { printf '02:00:00:00:00:%02x' "$1"; }
# Root-side veth ends get their own deterministic MACs so the bridge never picks a random one.
port_mac() { printf '02:00:00:00:01:%02x' "$1"; }
# Even-numbered PoPs use jumbo frames, odd ones standard Ethernet: both kinds exist from N=2.
host_mtu() { if (($1 % 2 == 0)); then echo 9000; else echo 1500; fi; }
host_v6() { echo "$V6_PREFIX::$1"; }

# Accepts "lax1" or "isl-lax1" and prints the PoP name, or fails.
pop_name() {
  local want=${1#"$NS_PREFIX"} name
  for name in "${POP_NAMES[@]}"; do
    [[ $name == "$want" ]] && {
      echo "$name"
      return 0
    }
  done
  return 1
}

# Fields of state/hosts: index name region ipv4 ipv6 mtu mac (tab-separated, one host a line).
require_state() {
  [[ -s $HOSTS_FILE ]] || die "no lab is up ($HOSTS_FILE is missing); run lab/up.sh first"
}

host_record() {
  local name
  name=$(pop_name "$1") || die "unknown host '$1'; lab hosts are: $(cut -f2 "$HOSTS_FILE" | tr '\n' ' ')"
  awk -F'\t' -v n="$name" '$2 == n' "$HOSTS_FILE" | grep . || die "host '$name' is not part of the running lab"
}

lab_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS_PREFIX" || true
}

lab_links() {
  ip -o link show 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep "^$NS_PREFIX" || true
}

# A pid from one of our pid files counts only while its command line still names our state
# directory, so a recycled pid of some unrelated process is never signalled.
lab_pid_alive() {
  local pid=$1
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STATE_DIR/"
}

pidfile_pid() {
  local file=$1 pid
  [[ -s $file ]] || return 1
  pid=$(head -n1 "$file")
  lab_pid_alive "$pid" && echo "$pid"
}

# A zombie counts as gone: whoever reaps it is not the lab's business.
pid_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# Sends TERM, waits up to 2 s, then KILL to each pid given.
stop_pids() {
  local pid tries
  (($#)) || return 0
  kill -TERM "$@" 2>/dev/null || true
  for ((tries = 0; tries < 20; tries++)); do
    for pid in "$@"; do
      pid_running "$pid" && break
      pid=
    done
    [[ -z ${pid:-} ]] && return 0
    sleep 0.1
  done
  kill -KILL "$@" 2>/dev/null || true
}

# Every process inside a lab namespace was started by the lab (sshd, its sessions, listeners).
stop_namespace_processes() {
  local ns=$1 signal=${2:-TERM}
  local -a pids
  mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
  ((${#pids[@]})) || return 0
  if [[ $signal == KILL ]]; then
    kill -KILL "${pids[@]}" 2>/dev/null || true
  else
    stop_pids "${pids[@]}"
  fi
}

# Waits until something listens on port 22 of both addresses inside the namespace.
wait_listening() {
  local ns=$1 v4=$2 v6=$3 seconds=${4:-10} tries out
  for ((tries = 0; tries < seconds * 10; tries++)); do
    out=$(ip netns exec "$ns" ss -Hltn 'sport = :22' 2>/dev/null || true)
    if grep -qF "$v4:22" <<<"$out" && grep -qF "[$v6]:22" <<<"$out"; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

sshd_pid() { pidfile_pid "$STATE_DIR/$1/sshd.pid"; }
hang_pid() { pidfile_pid "$STATE_DIR/$1/hang.pid"; }

# Starts the host's sshd in its network namespace, in a private mount and UTS namespace so that
# /etc/pop and the hostname seen over SSH belong to that PoP alone.
start_sshd() {
  local name=$1 dir="$STATE_DIR/$1"
  mkdir -p /run/sshd
  chmod 0755 /run/sshd
  rm -f "$dir/sshd.pid"
  /usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd rejects $dir/sshd_config"
  # shellcheck disable=SC2016 # the inner shell expands its own positional parameters
  setsid ip netns exec "$NS_PREFIX$name" \
    unshare --mount --uts --propagation private -- \
    /bin/sh -c 'hostname "$1" && mount --bind "$2" /etc/pop && exec /usr/sbin/sshd -D -f "$3" -E "$4"' \
    isl-sshd "$name" "$dir/etc-pop" "$dir/sshd_config" "$dir/sshd.log" \
    </dev/null >>"$dir/start.log" 2>&1 9<&- &
}

# Starts a TCP listener on the host's port 22 that accepts and never sends a byte.
start_hang_listener() {
  local name=$1 v4=$2 v6=$3 dir="$STATE_DIR/$1"
  rm -f "$dir/hang.pid"
  setsid ip netns exec "$NS_PREFIX$name" \
    perl "$LAB_DIR/hang-listener.pl" "$dir/hang.pid" "$HANG_LIFETIME_SECONDS" "$v4" "$v6" \
    </dev/null >>"$dir/hang.log" 2>&1 9<&- &
}

stop_host_servers() {
  local name=$1 pid
  for pid in $(sshd_pid "$name") $(hang_pid "$name"); do
    stop_pids "$pid"
  done
  stop_namespace_processes "$NS_PREFIX$name"
}

fault_set() {
  local key=$1
  shift
  fault_clear "$key"
  printf '%s %s\n' "$key" "$*" >>"$FAULTS_FILE"
}

# Removes fault lines whose first two words are the key given (e.g. "hang lax1").
fault_clear() {
  [[ -f $FAULTS_FILE ]] || return 0
  awk -v k="$1" '($1 " " $2) != k' "$FAULTS_FILE" >"$FAULTS_FILE.tmp"
  mv "$FAULTS_FILE.tmp" "$FAULTS_FILE"
}

# --- PoPs with a real init (lab/up.sh --init, lab/rootfs.sh, lab/init.sh) ---
ROOTFS_CACHE=${LAB_ROOTFS_CACHE:-/var/cache/infraspec-lab}
INIT_KINDS=(systemd openrc sysvinit)
# A booting container on a busy 2-core machine needs far longer than a bare sshd.
INIT_BOOT_TIMEOUT=${LAB_INIT_BOOT_TIMEOUT:-120}

# The suite and mirror are this machine's own apt source, so the lab needs no other network.
rootfs_suite() {
  local suite
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [[ -n $suite ]] || die "cannot tell this machine's Debian suite from /etc/os-release"
  echo "$suite"
}

rootfs_mirror() {
  local uri
  uri=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null |
    grep -v -e security -e updates | grep -m1 '^http' || true)
  [[ -n $uri ]] || uri=http://deb.debian.org/debian/
  echo "$uri"
}

rootfs_packages() {
  local common=openssh-server,iproute2,procps,logrotate
  case $1 in
    systemd) echo "systemd,systemd-sysv,dbus,$common" ;;
    # debootstrap always takes the first alternative of sysvinit-core's "sysv-rc | openrc", and
    # sysv-rc conflicts with openrc: the OpenRC image is the sysvinit one plus apt-get install.
    openrc) echo "sysvinit-core,sysv-rc,initscripts,$common+openrc" ;;
    sysvinit) echo "sysvinit-core,sysv-rc,initscripts,$common" ;;
  esac
}

rootfs_dir() {
  local key
  key=$(printf '%s\n' "$(rootfs_suite)" "$(rootfs_mirror)" "$(rootfs_packages "$1")" rootfs-v1 |
    sha256sum | cut -c1-12)
  echo "$ROOTFS_CACHE/rootfs-$1-$key"
}
