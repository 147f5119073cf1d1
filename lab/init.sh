# shellcheck shell=bash
# PoPs whose PID 1 is a real init (lab/up.sh --init): a systemd-nspawn container per PoP, booted
# from the cached root file system of lab/rootfs.sh through a copy-on-write overlay of its own,
# joined to the PoP's network namespace. Sourced by up.sh and down.sh after lib.sh.
#
# Each image also gets the services the lab's service tests look at, made for real in the PoP's
# overlay before boot (see install_service_fixtures): one that fails on start, a masked one, a
# static one, a socket-activated one, a timer, one that the tests stop after boot.

declare -A INIT_IMAGES=()

# The init of host number $2 for mode $1: mixed cycles systemd, openrc, sysvinit.
init_kind() {
  local mode=$1 i=$2
  if [[ $mode == mixed ]]; then
    echo "${INIT_KINDS[(i - 1) % ${#INIT_KINDS[@]}]}"
  else
    echo "$mode"
  fi
}

init_root() { echo "$STATE_DIR/$1/init/root"; }
nspawn_pid() { pidfile_pid "$STATE_DIR/$1/nspawn.pid"; }

overlay_mounted() { findmnt -rn -M "$(init_root "$1")" >/dev/null 2>&1; }

# Stops the container of one PoP (if any) and removes its overlay mount; the upper layer is kept
# (graceful=0: the caller already asked every container to shut down)
# so that a restart keeps what the tests changed, until down.sh removes the state.
stop_init_host() {
  local name=$1 graceful=${2:-1} pid tries
  if ((graceful)) && pid=$(nspawn_pid "$name"); then
    # nspawn turns TERM into the container's own orderly shutdown (SIGRTMIN+3 for systemd).
    kill -TERM "$pid" 2>/dev/null || true
    for ((tries = 0; tries < 30; tries++)); do
      pid_running "$pid" || break
      sleep 0.1
    done
  fi
  # Whatever is left (sysvinit ignores SIGRTMIN+3) dies with the namespace's processes; killing
  # the container's PID 1 ends its whole PID namespace.
  stop_namespace_processes "$NS_PREFIX$name" KILL
  # nspawn exits by itself once its container's PID 1 is gone; down must not return before.
  if pid=$(nspawn_pid "$name"); then
    for ((tries = 0; tries < 30; tries++)); do
      pid_running "$pid" || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE_DIR/$name/nspawn.pid"
  for ((tries = 0; tries < 50; tries++)); do
    overlay_mounted "$name" || break
    umount "$(init_root "$name")" 2>/dev/null || sleep 0.1
  done
  overlay_mounted "$name" && die "could not unmount the overlay of $name at $(init_root "$name")"
  rm -f "$STATE_DIR/$name/init-kind"
}

# Every lab overlay still mounted, also one whose state was half removed.
stop_all_init_hosts() {
  local dir name pid tries
  local -a pids=()
  # All shutdowns at once: a sysvinit PID 1 ignores nspawn's SIGRTMIN+3, and waiting for each
  # container in turn cost 50 s for 20 PoPs.
  for dir in "$STATE_DIR"/*/init; do
    [[ -d $dir ]] || continue
    pid=$(nspawn_pid "$(basename "$(dirname "$dir")")") && pids+=("$pid")
  done
  if ((${#pids[@]})); then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for ((tries = 0; tries < 30; tries++)); do
      for pid in "${pids[@]}"; do
        pid_running "$pid" && break
        pid=
      done
      [[ -z ${pid:-} ]] && break
      sleep 0.1
    done
  fi
  for dir in "$STATE_DIR"/*/init; do
    [[ -d $dir ]] || continue
    name=$(basename "$(dirname "$dir")")
    stop_init_host "$name" 0
  done
  local mount
  while read -r mount; do
    [[ -n $mount ]] || continue
    umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || log "could not unmount $mount"
  done < <(findmnt -rn -o TARGET -t overlay | grep -F "$STATE_DIR/" || true)
}

write_unit() {
  local root=$1 name=$2
  mkdir -p "$root/etc/systemd/system"
  cat >"$root/etc/systemd/system/$name"
}

# The service states the lab's tests check, made for real in the systemd image.
install_systemd_fixtures() {
  local root=${1:?} wants="$1/etc/systemd/system/multi-user.target.wants"
  mkdir -p "$wants" "$root/etc/systemd/system/sockets.target.wants" "$root/etc/systemd/system/timers.target.wants"
  write_unit "$root" lab-fails.service <<'EOF'
[Unit]
Description=InfraSpec lab: exits 1 at every start
[Service]
Type=oneshot
ExecStart=/bin/false
[Install]
WantedBy=multi-user.target
EOF
  ln -sf ../lab-fails.service "$wants/lab-fails.service"
  write_unit "$root" lab-web.service <<'EOF'
[Unit]
Description=InfraSpec lab: a long-running service the tests stop after boot
[Service]
ExecStart=/bin/sleep infinity
ExecReload=/bin/sleep 300
[Install]
WantedBy=multi-user.target
EOF
  ln -sf ../lab-web.service "$wants/lab-web.service"
  write_unit "$root" lab-slow.service <<'EOF'
[Unit]
Description=InfraSpec lab: stays activating (its start-pre step never ends)
[Service]
ExecStartPre=/bin/sleep infinity
ExecStart=/bin/sleep infinity
TimeoutStartSec=infinity
EOF
  write_unit "$root" lab-static.service <<'EOF'
[Unit]
Description=InfraSpec lab: a static unit (no [Install] section)
[Service]
ExecStart=/bin/sleep infinity
EOF
  ln -sf /dev/null "$root/etc/systemd/system/lab-masked.service"
  write_unit "$root" lab-echo.socket <<'EOF'
[Unit]
Description=InfraSpec lab: socket activation
[Socket]
ListenStream=127.0.0.1:7777
Accept=no
[Install]
WantedBy=sockets.target
EOF
  ln -sf ../lab-echo.socket "$root/etc/systemd/system/sockets.target.wants/lab-echo.socket"
  write_unit "$root" lab-echo.service <<'EOF'
[Unit]
Description=InfraSpec lab: started by lab-echo.socket only
[Service]
ExecStart=/bin/sleep infinity
EOF
  write_unit "$root" lab-tick.timer <<'EOF'
[Unit]
Description=InfraSpec lab: fires hourly
[Timer]
OnCalendar=hourly
[Install]
WantedBy=timers.target
EOF
  ln -sf ../lab-tick.timer "$root/etc/systemd/system/timers.target.wants/lab-tick.timer"
  write_unit "$root" lab-tick.service <<'EOF'
[Unit]
Description=InfraSpec lab: what lab-tick.timer runs
[Service]
Type=oneshot
ExecStart=/bin/true
EOF
  # Yearly: next elapse weeks away. lab-idle.timer is installed but neither enabled nor started.
  local timer
  for timer in lab-yearly lab-idle; do
    write_unit "$root" "$timer.timer" <<EOF
[Unit]
Description=InfraSpec lab: $timer
[Timer]
OnCalendar=yearly
Unit=lab-tick.service
[Install]
WantedBy=timers.target
EOF
  done
  ln -sf ../lab-yearly.timer "$root/etc/systemd/system/timers.target.wants/lab-yearly.timer"
  # Installable but not enabled (the tests enable it with --runtime), and one that only names
  # another unit in Also= (indirect).
  write_unit "$root" lab-runtime.service <<'EOF'
[Unit]
Description=InfraSpec lab: enabled at runtime by the tests
[Service]
ExecStart=/bin/sleep infinity
[Install]
WantedBy=multi-user.target
EOF
  write_unit "$root" lab-indirect.service <<'EOF'
[Unit]
Description=InfraSpec lab: enabled only through Also=
[Service]
ExecStart=/bin/sleep infinity
[Install]
Also=lab-tick.timer
EOF
  # An init script without a unit: systemd-sysv-generator makes lab-legacy.service (generated).
  write_lsb_script "$root" lab-legacy /bin/sleep
  sed -i 's|--exec /bin/sleep ;;|--exec /bin/sleep -- infinity ;;|' "$root/etc/init.d/lab-legacy"
  local level
  for level in 2 3 4 5; do
    mkdir -p "$root/etc/rc$level.d"
    ln -sf ../init.d/lab-legacy "$root/etc/rc$level.d/S01lab-legacy"
  done
}

# An LSB init script for OpenRC and sysv-rc images: `sleep` as a daemon with a pid file.
write_lsb_script() {
  local root=$1 name=$2 command=$3
  cat >"$root/etc/init.d/$name" <<EOF
#!/bin/sh
### BEGIN INIT INFO
# Provides:          $name
# Required-Start:    \$remote_fs
# Required-Stop:     \$remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: InfraSpec lab service $name
### END INIT INFO
. /lib/lsb/init-functions
PIDFILE=/run/$name.pid
case "\$1" in
  start) start-stop-daemon --start --background --make-pidfile --pidfile \$PIDFILE --exec $command ;;
  stop) start-stop-daemon --stop --pidfile \$PIDFILE --remove-pidfile --retry 2 ;;
  status) status_of_proc -p \$PIDFILE $command $name ;;
  restart) \$0 stop; \$0 start ;;
  *) echo "usage: \$0 start|stop|status|restart" >&2; exit 3 ;;
esac
EOF
  chmod 0755 "$root/etc/init.d/$name"
}

write_openrc_script() {
  local root=$1 name=$2 command=$3 args=$4 extra=${5:-}
  cat >"$root/etc/init.d/$name" <<EOF
#!/sbin/openrc-run
description="InfraSpec lab service $name"
command="$command"
command_args="$args"
command_background=yes
pidfile="/run/$name.pid"
$extra
EOF
  chmod 0755 "$root/etc/init.d/$name"
}

install_openrc_fixtures() {
  local root=${1:?}
  # lab-web runs from boot (the tests stop it), lab-fails dies right after it starts (crashed),
  # lab-idle is installed but in no runlevel. Debian's OpenRC starts daemons with dpkg's
  # start-stop-daemon, which records nothing for OpenRC (a killed daemon stays "started"): only
  # supervise-daemon's services can be seen crashed.
  write_openrc_script "$root" lab-web /bin/sleep infinity
  write_openrc_script "$root" lab-fails /bin/sh "-c 'sleep 1; exit 1'" \
    "supervisor=supervise-daemon
respawn_max=1
respawn_delay=0"
  write_openrc_script "$root" lab-idle /bin/sleep infinity
  # lab-crash: supervised from boot; the tests kill its supervisor and daemon with SIGKILL, and
  # OpenRC then counts it crashed (rc-status --crashed; rc-service status says unsupervised).
  write_openrc_script "$root" lab-crash /bin/sleep infinity "supervisor=supervise-daemon"
  mkdir -p "$root/etc/runlevels/default"
  ln -sf /etc/init.d/lab-crash "$root/etc/runlevels/default/lab-crash"
  ln -sf /etc/init.d/lab-web "$root/etc/runlevels/default/lab-web"
  ln -sf /etc/init.d/lab-fails "$root/etc/runlevels/default/lab-fails"
}

install_sysvinit_fixtures() {
  local root=${1:?}
  write_lsb_script "$root" lab-web /bin/sleep
  write_lsb_script "$root" lab-idle /bin/sleep
  # start-stop-daemon passes no arguments with --exec alone; sleep needs one.
  sed -i 's|--exec /bin/sleep ;;|--exec /bin/sleep -- infinity ;;|' "$root/etc/init.d/lab-web" "$root/etc/init.d/lab-idle"
  # Through update-rc.d (insserv): sysv-rc starts only what its .depend files list, so hand-made
  # links would never run. lab-idle ends with K links only.
  chroot "$root" update-rc.d lab-web defaults >/dev/null 2>&1 || die "update-rc.d lab-web failed in $root"
  chroot "$root" update-rc.d lab-idle defaults >/dev/null 2>&1 || die "update-rc.d lab-idle failed in $root"
  chroot "$root" update-rc.d lab-idle disable >/dev/null 2>&1 || die "update-rc.d lab-idle disable failed in $root"
}

# Boots host $1 with init $2; its network namespace must exist.
start_init_host() {
  local name=$1 kind=$2 v4=$3 v6=$4 dir="$STATE_DIR/$1" image root
  # Asked once per kind and run: finding the cache key costs an apt-get call.
  if [[ -z ${INIT_IMAGES[$kind]:-} ]]; then
    INIT_IMAGES[$kind]=$(bash "$LAB_DIR/rootfs.sh" "$kind") || die "no $kind root file system"
  fi
  image=${INIT_IMAGES[$kind]}
  root=$(init_root "$name")
  if [[ -f $dir/init-image && $(cat "$dir/init-image") != "$image" ]]; then
    # Another init's changes must not land on top of this image.
    rm -rf "$dir/init"
  fi
  mkdir -p "$dir/init/upper" "$dir/init/work" "$root"
  echo "$image" >"$dir/init-image"
  overlay_mounted "$name" ||
    mount -t overlay "isl-$name" -o "lowerdir=$image,upperdir=$dir/init/upper,workdir=$dir/init/work" "$root" ||
    die "could not mount the overlay for $name (overlayfs on $(stat -f -c %T "$dir"))"
  echo "$name" >"$root/etc/hostname"
  cp "$dir/ssh_host_ed25519_key" "$dir/ssh_host_ed25519_key.pub" "$root/etc/ssh/lab/"
  cp "$STATE_DIR/authorized_keys" "$root/etc/ssh/lab/authorized_keys"
  printf 'ListenAddress %s:22\nListenAddress [%s]:22\n' "$v4" "$v6" >"$root/etc/ssh/sshd_config.d/listen.conf"
  case $kind in
    systemd) install_systemd_fixtures "$root" ;;
    openrc) install_openrc_fixtures "$root" ;;
    sysvinit) install_sysvinit_fixtures "$root" ;;
  esac
  echo "$kind" >"$dir/init-kind"
  rm -f "$dir/nspawn.pid"
  # --register=no and --keep-unit: no machined or systemd on this machine's side is needed.
  # The pid file line names lab/state/ so lab_pid_alive recognises it. Unlike sshd, nspawn keeps
  # inherited descriptors open: a caller's lock (flock /tmp/infraspec-lab.lock lab/up.sh) would
  # stay held for the container's life and block every later lab command.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
    # shellcheck disable=SC2016 # the inner shell expands its own positional parameters
    exec setsid /bin/sh -c 'echo $$ >"$1"; shift; exec "$@"' isl-nspawn "$dir/nspawn.pid" \
      systemd-nspawn --quiet --boot --register=no --keep-unit --console=passive \
      --machine="$NS_PREFIX$name" --directory="$root" \
      --network-namespace-path="/run/netns/$NS_PREFIX$name" \
      --bind="$dir/etc-pop:/etc/pop" \
      </dev/null >>"$dir/nspawn.log" 2>&1
  ) &
}
