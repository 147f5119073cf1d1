#!/usr/bin/env bash
# Brings up the InfraSpec lab: N PoP hosts (network namespaces with their own sshd) on a bridge.
# Convergent: running it again repairs what is missing, restarts what is down, removes hosts
# beyond N and applies or lifts the fault flags given; keys and secrets are kept.
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=lab/init.sh
source "$(dirname "${BASH_SOURCE[0]}")/init.sh"

usage() {
  cat <<EOF
usage: lab/up.sh [--duplicate-mac] [--shared-secret] [--init KIND] [N]

  N                 number of PoP hosts, 1 to $MAX_HOSTS (default 4)
  --duplicate-mac   the second host's eth0 gets the first host's MAC
  --shared-secret   the second host gets the first host's /etc/pop/service.key
  --init KIND       each host boots a container whose PID 1 is that init: systemd, openrc,
                    sysvinit, or mixed (systemd, openrc, sysvinit, systemd, ...); the root file
                    system is built once by lab/rootfs.sh and cached in $ROOTFS_CACHE

Environment: LAB_IPV4_NET=198.51.100 forces the IPv4 /24 (first three octets); by default the
first of ${V4_CANDIDATES[*]} that this machine does not already route is used.
EOF
}

count=4
duplicate_mac=0
shared_secret=0
init_mode=
while (($#)); do
  case $1 in
    --duplicate-mac) duplicate_mac=1 ;;
    --shared-secret) shared_secret=1 ;;
    --init)
      (($# >= 2)) || die "--init needs a kind: systemd, openrc, sysvinit or mixed"
      init_mode=$2
      shift
      ;;
    --init=*) init_mode=${1#--init=} ;;
    -h | --help)
      usage
      exit 0
      ;;
    -*)
      usage >&2
      die "unknown option '$1'"
      ;;
    *)
      [[ $1 =~ ^[0-9]+$ ]] || die "N must be a number from 1 to $MAX_HOSTS, got '$1'"
      count=$((10#$1))
      ;;
  esac
  shift
done
((count >= 1 && count <= MAX_HOSTS)) || die "N must be from 1 to $MAX_HOSTS, got $count"
if ((count < 2 && (duplicate_mac || shared_secret))); then
  die "--duplicate-mac and --shared-secret need at least 2 hosts"
fi

case $init_mode in
  "" | systemd | openrc | sysvinit | mixed) ;;
  *) die "--init must be systemd, openrc, sysvinit or mixed, got '$init_mode'" ;;
esac
require_root "$@"

ensure_packages() {
  local -a missing=()
  command -v ip >/dev/null && command -v ss >/dev/null || missing+=(iproute2)
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]} with apt-get"
  # Debian's openssh-server would otherwise start a system-wide sshd on port 22 during install.
  local own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  local rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"; } || rc=$?
  ((own_policy)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || die "apt-get could not install ${missing[*]}"
}

# The lab must never share a subnet with a real interface: traffic would leave the machine.
foreign_routes() {
  ip "$1" route show table all root "$2" 2>/dev/null | grep -v " dev $BRIDGE\( \|$\)" || true
}

choose_ipv4_net() {
  local net
  if [[ -n ${LAB_IPV4_NET:-} ]]; then
    [[ $LAB_IPV4_NET =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
      die "LAB_IPV4_NET must be three octets such as 198.51.100, got '$LAB_IPV4_NET'"
    [[ -z $(foreign_routes -4 "$LAB_IPV4_NET.0/24") ]] ||
      die "$LAB_IPV4_NET.0/24 is already routed on this machine: $(foreign_routes -4 "$LAB_IPV4_NET.0/24" | head -n1)"
    echo "$LAB_IPV4_NET"
    return
  fi
  if [[ -s $STATE_DIR/ipv4-net ]]; then
    net=$(cat "$STATE_DIR/ipv4-net")
    [[ -z $(foreign_routes -4 "$net.0/24") ]] && {
      echo "$net"
      return
    }
  fi
  for net in "${V4_CANDIDATES[@]}"; do
    if [[ -z $(foreign_routes -4 "$net.0/24") ]]; then
      echo "$net"
      return
    fi
    log "$net.0/24 is already used by this machine's network; not using it for the lab"
  done
  die "all documentation /24s (${V4_CANDIDATES[*]}) are routed on this machine; set LAB_IPV4_NET"
}

# Adds the address and removes any other global IPv4 address, such as one left by a run that
# used another /24; flushing instead would drop the address under live connections.
set_only_ipv4() {
  local ns=$1 dev=$2 want=$3 have
  local -a netns=()
  [[ -n $ns ]] && netns=(-n "$ns")
  ip "${netns[@]}" addr replace "$want" dev "$dev"
  for have in $(ip "${netns[@]}" -4 -o addr show dev "$dev" scope global | awk '{print $4}'); do
    [[ $have == "$want" ]] || ip "${netns[@]}" addr del "$have" dev "$dev"
  done
}

setup_bridge() {
  local v4_net=$1
  ip link show dev "$BRIDGE" &>/dev/null ||
    ip link add "$BRIDGE" type bridge stp_state 0 forward_delay 0
  ip link set dev "$BRIDGE" address "$BRIDGE_MAC" mtu "$BRIDGE_MTU" up
  set_only_ipv4 "" "$BRIDGE" "$v4_net.254/24"
  ip addr replace "$V6_GATEWAY/64" dev "$BRIDGE" nodad
}

setup_host_network() {
  local i=$1 name=$2 mac=$3 v4_net=$4
  local ns="$NS_PREFIX$name" port="${NS_PREFIX}v-$name" mtu
  mtu=$(host_mtu "$i")
  lab_namespaces | grep -qx "$ns" || ip netns add "$ns"
  # A root-side veth whose peer is not this namespace's eth0 is a leftover of a broken run.
  if ip link show dev "$port" &>/dev/null && ! ip -n "$ns" link show dev eth0 &>/dev/null; then
    ip link del "$port"
  fi
  if ! ip link show dev "$port" &>/dev/null; then
    ip -n "$ns" link del eth0 2>/dev/null || true
    ip link add "$port" type veth peer name eth0 netns "$ns"
  fi
  echo 1 >"/proc/sys/net/ipv6/conf/$port/disable_ipv6"
  ip link set dev "$port" address "$(port_mac "$i")" mtu "$mtu" master "$BRIDGE" up
  ip -n "$ns" link set dev lo up
  ip -n "$ns" link set dev eth0 address "$mac" mtu "$mtu" up
  set_only_ipv4 "$ns" eth0 "$v4_net.$i/24"
  ip -n "$ns" addr replace "$(host_v6 "$i")/64" dev eth0 nodad
  ip -n "$ns" route replace default via "$v4_net.254" dev eth0
  ip -n "$ns" -6 route replace default via "$V6_GATEWAY" dev eth0
}

new_secret() {
  (
    umask 077
    od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$1"
    echo >>"$1"
  )
}

write_host_files() {
  local i=$1 name=$2 region=$3 city=$4 v4=$5 v6=$6 mtu=$7
  local dir="$STATE_DIR/$name"
  mkdir -p "$dir/etc-pop"
  chmod 0755 "$dir/etc-pop"
  cat >"$dir/etc-pop/pop.conf" <<EOF
# /etc/pop/pop.conf: written by the InfraSpec lab (lab/up.sh)
pop=$name
region=$region
city=$city
ipv4=$v4
ipv6=$v6
mtu=$mtu
EOF
  chmod 0644 "$dir/etc-pop/pop.conf"
  [[ -s $dir/etc-pop/service.key ]] || new_secret "$dir/etc-pop/service.key"
  [[ -s $dir/ssh_host_ed25519_key ]] ||
    ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$dir/ssh_host_ed25519_key"
  # Written aside first: an unchanged config must not restart a running sshd.
  cat >"$dir/sshd_config.new" <<EOF
# sshd for lab host $name, written by lab/up.sh. Started by lab/up.sh inside $NS_PREFIX$name.
ListenAddress $v4:22
ListenAddress [$v6]:22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $STATE_DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
PrintMotd no
MaxStartups 100:30:200
MaxSessions 64
Subsystem sftp internal-sftp
LogLevel VERBOSE
# Bash skips ~/.bashrc for ssh commands when SHLVL is already set: these "PoPs" share this
# machine's root account, whose rc files (pyenv here) are slow and take locks.
SetEnv SHLVL=1
EOF
  if cmp -s "$dir/sshd_config.new" "$dir/sshd_config"; then
    rm "$dir/sshd_config.new"
    config_changed=0
  else
    mv "$dir/sshd_config.new" "$dir/sshd_config"
    config_changed=1
  fi
}

remove_host() {
  local name=$1
  log "removing $name (beyond N=$count)"
  stop_init_host "$name"
  stop_host_servers "$name"
  ip link del "${NS_PREFIX}v-$name" 2>/dev/null || true
  ip netns del "$NS_PREFIX$name" 2>/dev/null || true
  rm -rf "${STATE_DIR:?}/$name"
}

write_client_files() {
  local v4_net=$1 i name region v4 v6 mtu mac group inits=""
  local -a groups=()
  : >"$STATE_DIR/known_hosts.new"
  : >"$STATE_DIR/ssh_config.new"
  : >"$HOSTS_FILE.new"
  for ((i = 1; i <= count; i++)); do
    name=${POP_NAMES[i - 1]}
    region=${POP_REGIONS[i - 1]}
    v4="$v4_net.$i"
    v6=$(host_v6 "$i")
    mtu=$(host_mtu "$i")
    mac=$(host_mac "$i")
    printf '%s,%s%s,%s,%s %s\n' "$name" "$NS_PREFIX" "$name" "$v4" "$v6" \
      "$(cut -d' ' -f1,2 "$STATE_DIR/$name/ssh_host_ed25519_key.pub")" >>"$STATE_DIR/known_hosts.new"
    cat >>"$STATE_DIR/ssh_config.new" <<EOF
Host $name $NS_PREFIX$name $v4
  HostName $v4
  Port 22
  User root
  IdentityFile "$STATE_DIR/id_ed25519"
  IdentitiesOnly yes
  UserKnownHostsFile "$STATE_DIR/known_hosts"
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5

EOF
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$name" "$region" "$v4" "$v6" "$mtu" "$mac" >>"$HOSTS_FILE.new"
    [[ -s $STATE_DIR/$name/init-kind ]] && inits+=" $name=$(cat "$STATE_DIR/$name/init-kind")"
    [[ " ${groups[*]} " == *" $region "* ]] || groups+=("$region")
  done
  {
    echo "# InfraSpec lab inventory (N=$count), written by lab/up.sh and removed by lab/down.sh."
    echo "# mtu: even-numbered hosts use jumbo frames (9000), odd-numbered ones 1500."
    echo "# mac and mtu are what each host is meant to have; injected faults change the host, not this file."
    if [[ -s $FAULTS_FILE ]]; then
      sed 's/^/# fault: /' "$FAULTS_FILE"
    fi
    for group in "${groups[@]}"; do
      echo
      echo "[$group]"
      # init=<kind> only for PoPs that boot a real init (lab/up.sh --init).
      awk -F'\t' -v g="$group" -v inits="$inits" 'BEGIN {
        n = split(inits, pairs, " "); for (k = 1; k <= n; k++) { split(pairs[k], kv, "="); init[kv[1]] = kv[2] } }
        $3 == g {
        printf "%s ansible_host=%s ansible_port=22 ansible_user=root mtu=%s mac=%s ipv6=%s netns=isl-%s%s\n",
          $2, $4, $6, $7, $5, $2, ($2 in init ? " init=" init[$2] : "") }' "$HOSTS_FILE.new"
    done
    # A group per init (lab/up.sh --init), so a spec can say hosts: "init_openrc".
    local kind
    for kind in "${INIT_KINDS[@]}"; do
      [[ " $inits " == *"=$kind "* ]] || continue
      echo
      echo "[init_$kind]"
      tr ' ' '\n' <<<"$inits" | awk -F= -v k="$kind" '$2 == k { print $1 }'
    done
    echo
    echo "[pops:children]"
    printf '%s\n' "${groups[@]}"
    echo
    echo "[pops:vars]"
    echo "ansible_ssh_private_key_file=$STATE_DIR/id_ed25519"
    echo "ansible_ssh_common_args=-F $STATE_DIR/ssh_config"
  } >"$STATE_DIR/inventory.ini.new"
  local file
  for file in known_hosts ssh_config hosts inventory.ini; do
    mv "$STATE_DIR/$file.new" "$STATE_DIR/$file"
  done
}

started=$SECONDS
ensure_packages
for tool in unshare setsid flock perl; do
  command -v "$tool" >/dev/null || die "$tool is missing (util-linux and perl-base are Essential on Debian)"
done
take_lock
mkdir -p "$STATE_DIR"
chmod 0700 "$STATE_DIR"

v4_net=$(choose_ipv4_net)
[[ -z $(foreign_routes -6 "$V6_PREFIX::/64") ]] ||
  die "$V6_PREFIX::/64 is already routed on this machine: $(foreign_routes -6 "$V6_PREFIX::/64" | head -n1)"
echo "$v4_net" >"$STATE_DIR/ipv4-net"

if [[ ! -d /etc/pop ]]; then
  # The marker lets down.sh remove the empty mount point only if the lab created it.
  touch "$STATE_DIR/etc-pop-created"
  mkdir /etc/pop
fi

if [[ ! -s $STATE_DIR/id_ed25519 ]]; then
  rm -f "$STATE_DIR/id_ed25519" "$STATE_DIR/id_ed25519.pub"
  ssh-keygen -q -t ed25519 -N '' -C "infraspec-lab" -f "$STATE_DIR/id_ed25519"
fi
# The from= clause keeps the lab key useless outside the lab subnets.
printf 'from="%s.0/24,%s::/64" %s\n' "$v4_net" "$V6_PREFIX" "$(cat "$STATE_DIR/id_ed25519.pub")" \
  >"$STATE_DIR/authorized_keys"

: >"$FAULTS_FILE"
setup_bridge "$v4_net"

for ns in $(lab_namespaces); do
  name=${ns#"$NS_PREFIX"}
  idx=0
  for ((i = 1; i <= count; i++)); do
    [[ ${POP_NAMES[i - 1]} == "$name" ]] && idx=$i
  done
  ((idx)) || remove_host "$name"
done
for link in $(lab_links); do
  [[ $link == "$BRIDGE" ]] && continue
  name=${link#"${NS_PREFIX}v-"}
  lab_namespaces | grep -qx "$NS_PREFIX$name" || ip link del "$link" 2>/dev/null || true
done

first_mac=$(host_mac 1)
for ((i = 1; i <= count; i++)); do
  name=${POP_NAMES[i - 1]}
  mac=$(host_mac "$i")
  if ((i == 2 && duplicate_mac)); then
    mac=$first_mac
    fault_set "duplicate-mac $name" "eth0 has ${POP_NAMES[0]}'s MAC $first_mac instead of $(host_mac 2)"
  fi
  setup_host_network "$i" "$name" "$mac" "$v4_net"
  # A real switch would flap between the two ports sharing a MAC and make both hosts flaky; with
  # learning off on those ports the bridge floods their frames to both, so each host stays
  # reachable and tests see the duplicate MAC itself, deterministically.
  learning=on
  ((duplicate_mac && i <= 2)) && learning=off
  ip link set dev "${NS_PREFIX}v-$name" type bridge_slave learning "$learning" fdb_flush
  write_host_files "$i" "$name" "${POP_REGIONS[i - 1]}" "${POP_CITIES[i - 1]}" "$v4_net.$i" \
    "$(host_v6 "$i")" "$(host_mtu "$i")"
  if pid=$(hang_pid "$name"); then
    stop_pids "$pid"
  fi
  if [[ -n $init_mode ]]; then
    kind=$(init_kind "$init_mode" "$i")
    if pid=$(nspawn_pid "$name") && [[ $(cat "$STATE_DIR/$name/init-kind" 2>/dev/null) == "$kind" ]]; then
      ((config_changed)) || continue
    fi
    stop_init_host "$name"
    stop_host_servers "$name"
    start_init_host "$name" "$kind" "$v4_net.$i" "$(host_v6 "$i")"
    continue
  fi
  if [[ -e $STATE_DIR/$name/init-kind ]] || overlay_mounted "$name"; then
    stop_init_host "$name"
  fi
  if pid=$(sshd_pid "$name"); then
    ((config_changed)) || continue
    stop_pids "$pid"
  fi
  stop_namespace_processes "$NS_PREFIX$name"
  start_sshd "$name"
done

second="$STATE_DIR/${POP_NAMES[1]}/etc-pop/service.key"
first="$STATE_DIR/${POP_NAMES[0]}/etc-pop/service.key"
if ((shared_secret)); then
  cp "$first" "$second"
  fault_set "shared-secret ${POP_NAMES[1]}" "/etc/pop/service.key is the same as ${POP_NAMES[0]}'s"
elif ((count >= 2)) && cmp -s "$first" "$second"; then
  new_secret "$second"
fi

for ((i = 1; i <= count; i++)); do
  name=${POP_NAMES[i - 1]}
  if [[ -n $init_mode ]]; then
    if ! wait_listening "$NS_PREFIX$name" "$v4_net.$i" "$(host_v6 "$i")" "$INIT_BOOT_TIMEOUT"; then
      tail -n 20 "$STATE_DIR/$name/nspawn.log" >&2 2>/dev/null || true
      die "$name ($(cat "$STATE_DIR/$name/init-kind")) did not boot to a listening sshd within $INIT_BOOT_TIMEOUT s (console: lab/state/$name/nspawn.log)"
    fi
    continue
  fi
  if ! wait_listening "$NS_PREFIX$name" "$v4_net.$i" "$(host_v6 "$i")"; then
    tail -n 5 "$STATE_DIR/$name/start.log" "$STATE_DIR/$name/sshd.log" >&2 2>/dev/null || true
    die "sshd of $name did not start listening within 10 s (logs in lab/state/$name/)"
  fi
done

write_client_files "$v4_net"

[[ -n $init_mode ]] && log "hosts boot a real init ($init_mode); root file systems in $ROOTFS_CACHE"
log "$count hosts up in $((SECONDS - started)) s on $BRIDGE ($v4_net.0/24, $V6_PREFIX::/64)"
if [[ -s $FAULTS_FILE ]]; then
  sed 's/^/lab: fault: /' "$FAULTS_FILE" >&2
fi
log "inventory: lab/state/inventory.ini; try: ssh -F lab/state/ssh_config ${POP_NAMES[0]}"
