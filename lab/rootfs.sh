#!/usr/bin/env bash
# Builds (once) and prints the path of a cached Debian root file system whose PID 1 is the init
# given: systemd, openrc (sysvinit-core + openrc) or sysvinit (sysvinit-core + sysv-rc).
# The cache key is the suite, the mirror and the package list, so a changed list builds anew and
# an unchanged one is reused by every later lab/up.sh --init and every CI run on this machine.
#
#   lab/rootfs.sh systemd        # prints /var/cache/infraspec-lab/rootfs-systemd-<key>
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

init=${1:-}
[[ $init == systemd || $init == openrc || $init == sysvinit ]] ||
  die "usage: lab/rootfs.sh systemd|openrc|sysvinit"
require_root "$@"
dir=$(rootfs_dir "$init")
if [[ -f $dir/.infraspec-complete ]]; then
  echo "$dir"
  exit 0
fi

command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
mkdir -p "$ROOTFS_CACHE"
# One builder per flavour; a second caller waits and then finds the finished tree.
exec 8>"$dir.lock"
flock -w 900 8 || die "another build of $dir holds $dir.lock for over 15 min"
if [[ -f $dir/.infraspec-complete ]]; then
  echo "$dir"
  exit 0
fi

started=$SECONDS
rm -rf "$dir.tmp"
log "building the $init root file system with debootstrap from $(rootfs_mirror) (once per machine)"
packages=$(rootfs_packages "$init")
if [[ $packages == *+* ]]; then
  # "<base>+<extra>": the image of the base packages (built or reused), then apt-get adds extra.
  base=$(bash "$0" sysvinit)
  cp -a "$base" "$dir.tmp"
  rm -f "$dir.tmp/.infraspec-complete"
  mount -t proc proc "$dir.tmp/proc"
  rc=0
  {
    chroot "$dir.tmp" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive chroot "$dir.tmp" apt-get install -y -qq --no-install-recommends \
        "${packages#*+}"
  } >"$dir.log" 2>&1 || rc=$?
  umount "$dir.tmp/proc"
  if ((rc)); then
    tail -n 20 "$dir.log" >&2
    die "apt-get install ${packages#*+} failed in the $init image (full log: $dir.log)"
  fi
  chroot "$dir.tmp" apt-get clean
  rm -rf "$dir.tmp"/var/lib/apt/lists/*
elif ! debootstrap --variant=minbase --include="$packages" "$(rootfs_suite)" "$dir.tmp" "$(rootfs_mirror)" \
  >"$dir.log" 2>&1; then
  tail -n 20 "$dir.log" >&2
  die "debootstrap failed for $init (full log: $dir.log)"
fi

# What every lab PoP needs from its image: root logs in with the lab key only, the host key and
# /etc/pop come from lab/state/<pop>/ (bound in at boot), and nothing waits for a console.
root=$dir.tmp
mkdir -p "$root/root/.ssh" "$root/etc/pop" "$root/etc/ssh/sshd_config.d"
chmod 0700 "$root/root/.ssh"
rm -f "$root"/etc/ssh/ssh_host_*
cat >"$root/etc/ssh/sshd_config.d/infraspec-lab.conf" <<'EOF'
# Written by lab/rootfs.sh: the lab PoP's host key and client key are bound in from lab/state.
HostKey /etc/ssh/lab/ssh_host_ed25519_key
AuthorizedKeysFile /etc/ssh/lab/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 100:30:200
MaxSessions 64
EOF
mkdir -p "$root/etc/ssh/lab"
echo "infraspec-lab" >"$root/etc/hostname"
: >"$root/etc/machine-id"
case $init in
  systemd)
    # No getty on a console nobody reads; the lab's services are made at boot by lab/init.sh.
    ln -sf /dev/null "$root/etc/systemd/system/console-getty.service"
    ln -sf /dev/null "$root/etc/systemd/system/getty@.service"
    chroot "$root" systemctl enable ssh.service >/dev/null 2>&1 || true
    ;;
  openrc | sysvinit)
    # sysvinit's inittab spawns gettys on tty1-6, which a container does not have.
    sed -i -E 's/^([1-6]):/#\1:/' "$root/etc/inittab"
    ;;
esac
# debootstrap leaves downloaded .debs behind; the cached tree does not need them.
rm -f "$root"/var/cache/apt/archives/*.deb
touch "$root/.infraspec-complete"
mv "$root" "$dir"
log "$init root file system built in $((SECONDS - started)) s: $dir"
echo "$dir"
