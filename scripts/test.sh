#!/usr/bin/env bash
# The test command: installs what the tests need (Debian packages), builds, runs every test.
# Tests use real components: the system tools probes call, network namespaces, prove, dpkg, rpm.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libssh2-1-dev libssl-dev zlib1g-dev openssh-server openssh-client sudo openssl iproute2 procps perl rpm
  busybox libxml2-utils bind9 bind9-utils bind9-dnsutils ldnsutils python3 nginx-light gnupg tmux
  debootstrap systemd-container python3-pip node-tap-parser python3-cryptography)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f '${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The lab's init images (lab/up.sh --init) are built once per machine and cached; systemd and
# sysvinit in parallel, then OpenRC on top of sysvinit. A cached run costs well under a second.
images_started=$SECONDS
bash lab/rootfs.sh systemd >/dev/null &
systemd_image=$!
bash lab/rootfs.sh openrc >/dev/null
wait "$systemd_image"
echo "lab init images (systemd, OpenRC, sysv-rc): ready in $((SECONDS - images_started)) s" >&2

# tap.py (PyPI) is the second independent TAP consumer the reporter tests feed; node-tap-parser the third.
if ! python3 -c 'import tap, yaml' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'tap.py[yaml]==3.2.1' 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'tap.py[yaml]==3.2.1'
fi

swift build --build-tests
# The man page's generator, for InstallTests (make install of this debug build into a temp prefix).
swift build --product generate-manual
# The DocC archive; fails on an undocumented public symbol or a broken link.
bash scripts/docs.sh
swift test --skip-build --skip SSHSoakTests
# The soak judges its own memory growth, so it runs in a process of its own.
INFRASPEC_SOAK_ALONE=1 swift test --skip-build --filter SSHSoakTests
