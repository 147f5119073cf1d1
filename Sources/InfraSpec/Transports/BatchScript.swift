import Foundation

/// The one remote script that runs a batch of probes through a single `sh`, shared by every
/// remote transport.
///
/// Each probe runs in its own session (`setsid`) so that its whole process group can be killed
/// on the host when its timeout passes; a watchdog in a second session does the killing, so no
/// probe outlives its timeout even when the connection breaks. Every probe leaves one
/// length-prefixed record (`#IS1 index status timedOut stdoutLength stderrLength`, then the raw
/// bytes), so probes may print anything, separators included.
struct BatchScript {
  /// The command given to the remote login shell; the script itself comes on standard input, so
  /// its size is not limited by the argument length and no rc file of `sh` runs.
  static let remoteCommand = "exec /bin/sh -s"

  /// The prelude: the runner function `r INDEX TIMEOUT CHECK STDIN_BASE64 ARGV...`.
  static let prelude = """
    set +e
    umask 077
    d=$(mktemp -d 2>/dev/null) || { d=/tmp/infraspec.$$; mkdir -m 700 "$d" || exit 70; }
    p=; w=
    trap 'rm -rf "$d"' EXIT
    trap '[ -n "$p" ] && kill -KILL -"$p" "$p" 2>/dev/null; [ -n "$w" ] && kill -KILL -"$w" "$w" 2>/dev/null; exit 141' PIPE HUP INT TERM
    if command -v setsid >/dev/null 2>&1; then S=setsid; else S=; fi
    r() {
      i=$1; t=$2; c=$3; n=$4; shift 4
      rm -f "$d/t$i"
      if [ -n "$c" ] && ! command -v "$c" >/dev/null 2>&1; then
        printf '%s: not found\\n' "$c" >"$d/e$i"; : >"$d/o$i"; rc=127
      else
        if [ -n "$n" ]; then printf '%s' "$n" | base64 -d >"$d/i$i"; else : >"$d/i$i"; fi
        $S "$@" <"$d/i$i" >"$d/o$i" 2>"$d/e$i" &
        p=$!
        $S sh -c 'sleep "$1"; : >"$2"; case $3 in ""|0|1) exit 0;; esac; kill -KILL -"$3" 2>/dev/null || kill -KILL "$3"' _ "$t" "$d/t$i" "$p" </dev/null >/dev/null 2>&1 &
        w=$!
        wait "$p"; rc=$?
        kill -KILL -"$w" 2>/dev/null || kill -KILL "$w" 2>/dev/null
        wait "$w" 2>/dev/null
        kill -KILL -"$p" 2>/dev/null
        p=; w=
      fi
      if [ -e "$d/t$i" ]; then o=1; else o=0; fi
      set -- $(cd "$d" && wc -c "o$i" "e$i")
      printf '\\n#IS1 %s %s %s %s %s\\n' "$i" "$rc" "$o" "$1" "$3"
      cat "$d/o$i" "$d/e$i"
      rm -f "$d/o$i" "$d/e$i" "$d/i$i" "$d/t$i"
    }

    """

  /// Probes run at once on the host. Each costs a few process spawns on the host (the probe,
  /// its watchdog, `wc`, `cat`); running a few side by side uses the host's cores instead of
  /// paying them one after another.
  static let parallelism = 4

  /// Builds the script for `commands`, each wrapped in its own record and timeout, run a group of
  /// `parallelism` at a time; a group's records are printed whole when its last probe ends.
  static func script(for commands: [ProbeCommand], timeout: Duration, sudo: SudoOptions?) -> [UInt8] {
    var text = prelude
    let indices = Array(commands.indices)
    for start in stride(from: 0, to: indices.count, by: parallelism) {
      let group = indices[start..<min(start + parallelism, indices.count)]
      for index in group {
        let command = commands[index]
        let (argv, stdin) = sudo?.wrap(command) ?? (command.argv, command.stdin)
        // With sudo the command is looked up in sudo's secure PATH, not the login user's.
        let check = sudo == nil ? (command.argv.first ?? "") : "sudo"
        let encodedStdin = stdin.isEmpty ? "" : Data(stdin).base64EncodedString()
        let words = ["r", String(index), seconds(timeout), check, encodedStdin] + argv
        text += words.map(ShellQuoting.quote).joined(separator: " ") + " >\"$d/r\(index)\" &\n"
      }
      let records = group.map { "\"$d/r\($0)\"" }.joined(separator: " ")
      text += "wait\ncat \(records)\nrm -f \(records)\n"
    }
    text += "exit 0\n"
    return Array(text.utf8)
  }

  /// Seconds as `sleep` on GNU and BusyBox accepts them: "5", "0.25".
  static func seconds(_ duration: Duration) -> String {
    let milliseconds = max(
      1, duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    if milliseconds % 1000 == 0 { return String(milliseconds / 1000) }
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }

  /// Turns one record into what `Transport` promises: output, or why there is none.
  static func result(of record: BatchRecord, command: ProbeCommand, timeout: Duration, sudo: SudoOptions?)
    -> Result<CommandOutput, ProbeError>
  {
    if record.timedOut { return .failure(.timedOut(command: command.description, after: timeout)) }
    let name = command.argv.first ?? ""
    let stderr = String(decoding: record.stderr, as: UTF8.self)
    if let sudo {
      if record.exitStatus == 1 && stderr.hasPrefix("sudo: \(name): command not found") {
        return .failure(.commandNotFound(name))
      }
      if let problem = sudo.failure(exitStatus: record.exitStatus, stderr: stderr) {
        return .failure(.other(problem))
      }
    }
    if record.exitStatus == 127 && stderr.contains("not found") { return .failure(.commandNotFound(name)) }
    return .success(
      CommandOutput(exitStatus: record.exitStatus, stdout: record.stdout, stderr: record.stderr))
  }
}
