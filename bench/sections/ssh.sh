# Section "ssh": the same 100 checks over SSH to this machine, through the benchmark's own sshd.
# Sourced by bench/run.sh.
# shellcheck shell=bash disable=SC2034  # RUN_ENV is read by measure (lib/measure.sh)
#
# The sshd listens on a free loopback port with a host key, client key, authorized_keys and
# known_hosts generated here; nothing of the system's SSH setup (/etc/ssh, ~/.ssh, the agent) is
# read or changed. Host keys are verified strictly by every client that can: OpenSSH and Net::SSH
# against the generated known_hosts. Testinfra's paramiko backend cannot (it accepts any host key
# with a warning unless told to ignore them altogether).
#
# Every exec over SSH runs the login user's shell, and bash sources ~/.bashrc when started by
# sshd; a developer's ~/.bashrc (pyenv, nvm...) then adds tens of milliseconds to every exec and
# the table measures the dotfiles. sshd therefore sets SHLVL=1 in sessions, which makes bash skip
# it; BENCH_SSH_LOGIN_RC=1 keeps it, for the cost a real account would see.

SSH_DIR=""
SSH_PORT=""
SSH_USER=""
SSHD_PID=""
SSH_HOST_ALIAS=bench-sshd

# The loopback port the kernel picks as free; sshd binds it a moment later.
free_loopback_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_sshd_config() {
  cat >"$SSH_DIR/sshd_config" <<CONFIG
ListenAddress 127.0.0.1:$SSH_PORT
HostKey $SSH_DIR/host_ed25519
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
# The files live under the world-writable temporary directory, which StrictModes refuses.
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
MaxSessions 10
# Testinfra without connection sharing opens one connection per command, in bursts.
MaxStartups 100:30:200
# INFO logs every accepted login: the proof that a tool really checked over this sshd.
LogLevel INFO
CONFIG
  if [[ "${BENCH_SSH_LOGIN_RC:-0}" != 1 ]]; then
    echo "SetEnv SHLVL=1" >>"$SSH_DIR/sshd_config"
  fi
}

# One client configuration for OpenSSH and paramiko. Only the main alias shares a connection
# (ControlPath); the -nomux alias is Testinfra's out-of-the-box behaviour, one connection per
# command. OpenSSH takes the first value it finds, so the specific block comes first.
write_ssh_config() {
  cat >"$SSH_DIR/ssh_config" <<CONFIG
Host $SSH_HOST_ALIAS
  ControlPath $SSH_DIR/master-%C

Host $SSH_HOST_ALIAS $SSH_HOST_ALIAS-nomux
  HostName 127.0.0.1
  Port $SSH_PORT
  User $SSH_USER
  IdentityFile $SSH_DIR/client_ed25519
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile $SSH_DIR/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
CONFIG
}

start_sshd() {
  SSH_DIR="$BENCH_TMP/ssh"
  SSH_USER=$(id -un)
  SSH_PORT=$(free_loopback_port)
  mkdir -m 700 "$SSH_DIR"
  ssh-keygen -q -t ed25519 -N '' -C infraspec-bench-host -f "$SSH_DIR/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C infraspec-bench-client -f "$SSH_DIR/client_ed25519"
  cp "$SSH_DIR/client_ed25519.pub" "$SSH_DIR/authorized_keys"
  echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")" >"$SSH_DIR/known_hosts"
  write_sshd_config
  write_ssh_config
  # sshd insists on its privilege separation directory; the distribution's init script would
  # create it, and there is none without systemd.
  if [[ $(id -u) -eq 0 && ! -d /run/sshd ]]; then
    mkdir -m 755 /run/sshd
  fi
  /usr/sbin/sshd -t -f "$SSH_DIR/sshd_config" || die "the benchmark's sshd_config is invalid"
  /usr/sbin/sshd -D -e -f "$SSH_DIR/sshd_config" 2>"$SSH_DIR/sshd.log" &
  SSHD_PID=$!
  add_cleanup stop_sshd
  for _ in $(seq 50); do
    if ssh -F "$SSH_DIR/ssh_config" -o ControlPath=none "$SSH_HOST_ALIAS" true 2>/dev/null; then
      say "sshd on 127.0.0.1:$SSH_PORT, logging in as $SSH_USER"
      return
    fi
    kill -0 "$SSHD_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$SSH_DIR/sshd.log" >&2
  die "the benchmark's sshd on 127.0.0.1:$SSH_PORT did not accept a login"
}

stop_ssh_master() {
  [[ -n "$SSH_DIR" ]] || return 0
  ssh -F "$SSH_DIR/ssh_config" -O exit "$SSH_HOST_ALIAS" >/dev/null 2>&1 || true
}

stop_sshd() {
  stop_ssh_master
  if [[ -n "$SSHD_PID" ]]; then
    kill "$SSHD_PID" 2>/dev/null || true
    wait "$SSHD_PID" 2>/dev/null || true
    SSHD_PID=""
  fi
}

# ---- LEAD: InfraSpec over SSH --------------------------------------------------------------
# The one place that says how `infraspec run` reaches the benchmark's sshd with the benchmark's
# client key and known_hosts (written against `infraspec run --help` of the 17:37 debug build).
# HOME is an empty directory and the agent is cut off, so that nothing of the user's ~/.ssh
# (config, keys, known_hosts) takes part. Fill INFRASPEC_SSH_ENV (VAR=value words for the run's
# environment) and INFRASPEC_SSH_ARGS (arguments after `run SPEC`); return non-zero to report the
# row as not available.
infraspec_ssh_options() {
  mkdir -p "$SSH_DIR/home"
  INFRASPEC_SSH_ENV=(HOME="$SSH_DIR/home" SSH_AUTH_SOCK=)
  INFRASPEC_SSH_ARGS=(--host "$SSH_USER@127.0.0.1:$SSH_PORT" --known-hosts "$SSH_DIR/known_hosts"
    --identity "$SSH_DIR/client_ed25519")
}
# ---------------------------------------------------------------------------------------------

INFRASPEC_SSH_ENV=()
INFRASPEC_SSH_ARGS=()

# A run that passes without logging in to the benchmark's sshd checked something else (this
# machine directly, another host): every SSH row must add an accepted login to the sshd log.
SSH_LOGINS_BEFORE=0

count_ssh_logins() { grep -c '^Accepted publickey' "$SSH_DIR/sshd.log" || true; }

prepare_ssh_run() { SSH_LOGINS_BEFORE=$(count_ssh_logins); }

verify_logged_in() {
  (($(count_ssh_logins) > SSH_LOGINS_BEFORE)) ||
    { say "the run passed without logging in to the benchmark's sshd"; return 1; }
}

verify_tap_over_ssh() { verify_tap "$@" && verify_logged_in; }
verify_pytest_over_ssh() { verify_pytest "$@" && verify_logged_in; }
verify_rspec_over_ssh() { verify_rspec "$@" && verify_logged_in; }

# The warm cache is the one the local section uses: the spec binary is the same.
prepare_infraspec_ssh() {
  prepare_ssh_run
  RUN_ENV=(XDG_CACHE_HOME="$BENCH_TMP/cache-warm" "${INFRASPEC_SSH_ENV[@]}")
}

# Each run opens its own master connection, as every other client opens its own connection. The
# master outlives pytest (ControlPersist), so GNU time misses the CPU it spent encrypting every
# command: read it from /proc before closing the master.
finish_testinfra_ssh() {
  local pid ticks
  pid=$(ssh -F "$SSH_DIR/ssh_config" -O check "$SSH_HOST_ALIAS" 2>&1 |
    sed -n 's/.*pid=\([0-9]*\).*/\1/p' || true)
  if [[ -n "$pid" && -r "/proc/$pid/stat" ]]; then
    # utime and stime are fields 14 and 15; counted after the ")" closing the command name.
    ticks=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')
    RUN_EXTRA_CPU_MS=$((ticks * 1000 / $(getconf CLK_TCK)))
  fi
  stop_ssh_master
}

prepare_serverspec_ssh() {
  prepare_ssh_run
  RUN_ENV=(BENCH_SSH_HOST=127.0.0.1 BENCH_SSH_PORT="$SSH_PORT" BENCH_SSH_USER="$SSH_USER"
    BENCH_SSH_KEY="$SSH_DIR/client_ed25519" BENCH_SSH_KNOWN_HOSTS="$SSH_DIR/known_hosts")
}

# InfraSpec's libssh2 transport, and its OpenSSH one when the build has it (it adds to `rows`).
measure_infraspec_ssh() {
  local libssh2="InfraSpec (warm, libssh2)" openssh="InfraSpec (warm, openssh)" help
  if ! infraspec_available; then
    unavailable "$libssh2" "no executable at $INFRASPEC (build it, or set INFRASPEC)"
    return
  fi
  help=$("$INFRASPEC" run --help 2>&1 || true)
  if [[ $help != *--host* ]]; then
    unavailable "$libssh2" "this build of infraspec has no --host option"
    return
  fi
  if ! infraspec_ssh_options; then
    unavailable "$libssh2" "infraspec_ssh_options in bench/sections/ssh.sh is not filled in"
    return
  fi
  measure "$libssh2" verify_tap_over_ssh prepare_infraspec_ssh no_finish \
    "$INFRASPEC" run "$LOCAL_SPEC" --format tap "${INFRASPEC_SSH_ARGS[@]}"
  if [[ $help == *--ssh-client* ]]; then
    rows+=("$openssh")
    measure "$openssh" verify_tap_over_ssh prepare_infraspec_ssh no_finish \
      "$INFRASPEC" run "$LOCAL_SPEC" --format tap --ssh-client openssh "${INFRASPEC_SSH_ARGS[@]}"
  fi
}

section_ssh() {
  local title="$EXPECTED_CHECKS checks over SSH (loopback)"
  local rows=("InfraSpec (warm, libssh2)")
  say "section ssh"
  ensure_local_peers
  ensure_ssh_peers
  start_sshd

  measure_infraspec_ssh
  rows+=("Testinfra (ssh, ControlMaster)")
  local ssh_config="--ssh-config=$SSH_DIR/ssh_config"
  stop_ssh_master
  measure "Testinfra (ssh, ControlMaster)" verify_pytest_over_ssh prepare_ssh_run finish_testinfra_ssh \
    "${TESTINFRA[@]}" --hosts="ssh://$SSH_HOST_ALIAS" "$ssh_config" "$TESTINFRA_SUITE"
  if [[ "${BENCH_SSH_NO_MUX:-0}" == 1 ]]; then
    rows+=("Testinfra (ssh, no ControlMaster)")
    measure "Testinfra (ssh, no ControlMaster)" verify_pytest_over_ssh prepare_ssh_run no_finish \
      "${TESTINFRA[@]}" --hosts="ssh://$SSH_HOST_ALIAS-nomux" "$ssh_config" "$TESTINFRA_SUITE"
  fi
  rows+=("Testinfra (paramiko)" "Serverspec (ssh)")
  measure "Testinfra (paramiko)" verify_pytest_over_ssh prepare_ssh_run no_finish \
    "${TESTINFRA[@]}" --hosts="paramiko://$SSH_HOST_ALIAS" "$ssh_config" "$TESTINFRA_SUITE"
  measure "Serverspec (ssh)" verify_rspec_over_ssh prepare_serverspec_ssh no_finish \
    "${SERVERSPEC[@]}" "$SERVERSPEC_SUITE"
  measure "one ssh login running true" verify_exit_zero no_prepare no_finish \
    ssh -F "$SSH_DIR/ssh_config" -o ControlPath=none "$SSH_HOST_ALIAS" true

  print_table "$title" "InfraSpec (warm, libssh2)" "${rows[@]}"
  printf '(one ssh login running true: %s; login shell rc files %s)\n' \
    "$(format_seconds "${WALL_US[one ssh login running true]}")" \
    "$([[ "${BENCH_SSH_LOGIN_RC:-0}" == 1 ]] && echo included || echo skipped)"
  stop_sshd
}
