#!/usr/bin/env bash
# Builds infraspec (release) if needed, installing the Debian packages the build needs, then runs
# it with the given arguments: `bash scripts/infraspec.sh run Specs/localhost.swift`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if ! dpkg-query -W -f '${Status}\n' libssh2-1-dev 2>/dev/null | grep -q '^install ok installed$'; then
  echo "installing libssh2-1-dev (the SSH transport links it)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssh2-1-dev >/dev/null
fi
if ! dpkg-query -W -f '${Status}\n' libssl-dev 2>/dev/null | grep -q '^install ok installed$'; then
  echo "installing libssl-dev (the TLS and certificate checks link OpenSSL)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev >/dev/null
fi
swift build -c release --package-path "$root" >&2
exec "$root/.build/release/infraspec" "$@"
