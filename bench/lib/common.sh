# Shared helpers for bench/run.sh: messages, the scratch directory, peers and their installation.
# Sourced, not run; expects `set -euo pipefail` from the caller.
# shellcheck shell=bash

say() { printf '%s\n' "bench: $*" >&2; }

die() {
  printf '%s\n' "bench: error: $*" >&2
  exit 1
}

# Everything the benchmark creates (caches, keys, sshd config, logs) lives in one directory that
# the exit trap removes, together with any server a section started.
BENCH_TMP=""
CLEANUP_HOOKS=()

on_exit() {
  local hook
  for hook in "${CLEANUP_HOOKS[@]}"; do
    "$hook" || true
  done
  if [[ -n "$BENCH_TMP" && -d "$BENCH_TMP" ]]; then
    rm -rf -- "$BENCH_TMP"
  fi
}

make_scratch() {
  BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/infraspec-bench.XXXXXX")
  trap on_exit EXIT
  trap 'exit 130' INT TERM
}

add_cleanup() { CLEANUP_HOOKS+=("$1"); }

# apt-get is only run for what is missing, and only as root; otherwise say what to run.
apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    die "missing Debian packages: $*; install them with: sudo apt-get install -y $*"
  fi
  say "installing Debian packages: $*"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
  fi
}

pip_install() {
  say "installing from PyPI: $*"
  "$PYTHON" -m pip install --quiet "$@" >&2
}

# The real interpreter rather than a version-manager shim (pyenv's costs ~50 ms per start), so the
# peer is measured, not the shim.
resolve_python() {
  local candidate=${PYTHON:-python3}
  command -v "$candidate" >/dev/null || die "no $candidate; install python3 or set PYTHON"
  PYTHON=$("$candidate" -c 'import sys; print(sys.executable)')
}

# Peers and the system tools their checks call (`ip` from iproute2, `sysctl` from procps: the
# Essential set alone has neither, e.g. in the debian:12 container image).
ensure_local_peers() {
  local missing=()
  [[ -x /usr/bin/time ]] || missing+=(time)
  command -v ip >/dev/null || missing+=(iproute2)
  # Serverspec calls /sbin/sysctl by that path.
  [[ -x /sbin/sysctl ]] || missing+=(procps)
  command -v rspec >/dev/null && ruby -e 'require "serverspec"' 2>/dev/null ||
    missing+=(ruby-serverspec)
  if ((${#missing[@]})); then
    apt_install "${missing[@]}"
  fi
  "$PYTHON" -c 'import testinfra' 2>/dev/null || pip_install pytest-testinfra
}

ensure_ssh_peers() {
  local missing=()
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  ruby -e 'require "net/ssh"' 2>/dev/null || missing+=(ruby-net-ssh)
  if ((${#missing[@]})); then
    apt_install "${missing[@]}"
  fi
  "$PYTHON" -c 'import paramiko' 2>/dev/null || pip_install paramiko
}

# InfraSpec is optional until it is built: its rows then say "not available".
infraspec_available() { [[ -x "$INFRASPEC" ]]; }
