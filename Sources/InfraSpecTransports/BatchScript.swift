@_spi(Runner) internal import InfraSpecCore
internal import FoundationEssentials
internal import Glibc

/// The one remote script that runs a batch of probes through a single `sh`, shared by every
/// remote transport.
///
/// Probes run one after another and write straight into the channel: nothing a probe prints,
/// and none of its input (a sudo password included), is ever stored on the host. After each
/// probe the script prints a marker with a per-batch nonce on both streams
/// (`#IS2 NONCE e INDEX STATUS STATE` on stdout, `#IS2 NONCE e INDEX` on stderr), so the bytes
/// between two markers are that probe's output, whatever they contain. Each probe runs in its
/// own session (`setsid`) so that its whole process group can be killed on the host; each
/// probe's group is announced as `#IS2 NONCE b INDEX GROUP` on stderr when it starts.
///
/// One watchdog serves the whole batch: the reader of the channel's standard input, a subshell
/// (no program of its own) started once. It takes `k GROUP` lines, which the transport sends when
/// a probe's own deadline passes (counted from its begin marker) or its output passed the limit,
/// and kills that process group on the host. When standard input closes (the run ended, was
/// interrupted, or the connection dropped) it sees end-of-file, and the batch kills the running
/// probe's group and exits. So a probe costs its own process and nothing more: no `sleep`, no
/// watchdog shell per probe, no temporary file.
package struct BatchScript {
  /// The command given to the remote login shell; the script itself comes on standard input, so
  /// its size is not limited by the argument length and no rc file of `sh` runs.
  package static let remoteCommand = "exec /bin/sh -s"

  /// What the marker's state field says about a probe.
  enum State: String {
    case ran = "0"
    /// Killed at its deadline: decided by the transport, which sent the kill.
    case timedOut = "1"
    /// The wrapper found no such command; the probe never started.
    case notFound = "2"
  }

  /// The prelude: the runner function `r INDEX TIMEOUT CHECK STDIN ARGV...`, where STDIN is
  /// `printf %b` text; TIMEOUT only documents the deadline the transport holds (and keeps the
  /// script readable in a process listing). The whole script is one `{ }` group, so `sh` has read all of it before
  /// the reader of standard input starts.
  static func prelude(nonce: String) -> String {
    """
    {
    set +e
    exec 3<&0 </dev/null
    N=\(nonce)
    p=
    trap '[ -n "$p" ] && kill -KILL -"$p" "$p" 2>/dev/null; exit 143' HUP INT TERM PIPE
    if command -v setsid >/dev/null 2>&1; then S=setsid; else S=; fi
    { while read -r k g; do case $k:$g in k:|k:*[!0-9]*) ;; k:*) kill -KILL -"$g" 2>/dev/null || kill -KILL "$g" 2>/dev/null;; esac; done; kill -TERM $$; } <&3 >/dev/null 2>&1 &
    g=$!
    exec 3<&-
    printf '\\n#IS2 %s s\\n' "$N"; printf '\\n#IS2 %s s\\n' "$N" >&2
    r() {
      i=$1; c=$3; n=$4; shift 4
      o=0
      if [ -n "$c" ] && ! command -v "$c" >/dev/null 2>&1; then rc=127; o=2
      else
        if [ -n "$n" ]; then printf '%b' "$n" | $S "$@" & else $S "$@" </dev/null & fi
        p=$!
        printf '\\n#IS2 %s b %s %s\\n' "$N" "$i" "$p" >&2
        wait "$p" 2>/dev/null; rc=$?
        kill -KILL -"$p" 2>/dev/null
        p=
      fi
      printf '\\n#IS2 %s e %s %s %s\\n' "$N" "$i" "$rc" "$o"
      printf '\\n#IS2 %s e %s\\n' "$N" "$i" >&2
    }

    """
  }

  /// A fresh nonce for one batch: output cannot forge a marker it cannot know.
  static func makeNonce() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
  }

  /// Builds the script for `commands`, each run with its own timeout, in order.
  static func script(for commands: [ProbeCommand], timeout: Duration, sudo: SudoOptions?, nonce: String)
    -> [UInt8]
  {
    var text = prelude(nonce: nonce)
    for (index, command) in commands.enumerated() {
      let (argv, stdin) = sudo?.wrap(command) ?? (command.argv, command.stdin)
      // With sudo the command is looked up in sudo's secure PATH, not the login user's.
      let check = sudo == nil ? (command.argv.first ?? "") : "sudo"
      let words = ["r", String(index), seconds(timeout), check, printfText(stdin)] + argv
      text += words.map(ShellQuoting.quote).joined(separator: " ") + "\n"
    }
    text += "kill -KILL \"$g\" 2>/dev/null\nexit 0\n}\n"
    return Array(text.utf8)
  }

  /// Bytes as `printf %b` writes them back: letters and digits as they are, anything else as
  /// `\0ooo`, so NUL and newlines survive and nothing needs a helper program on the host.
  static func printfText(_ bytes: [UInt8]) -> String {
    var text = ""
    for byte in bytes {
      let scalar = Unicode.Scalar(byte)
      if byte < 0x80 && (Character(scalar).isLetter || Character(scalar).isNumber) {
        text.unicodeScalars.append(scalar)
      } else {
        let octal = String(byte, radix: 8)
        text += "\\0" + String(repeating: "0", count: 3 - octal.count) + octal
      }
    }
    return text
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
  ///
  /// Only the wrapper's own "no such command" is `commandNotFound`; a command that itself exits
  /// 127 is output like any other, judged as the spec says.
  static func result(of record: BatchRecord, command: ProbeCommand, timeout: Duration, sudo: SudoOptions?)
    -> Result<CommandOutput, ProbeError>
  {
    if record.state == .timedOut { return .failure(.timedOut(command: command.description, after: timeout)) }
    if record.tooLarge {
      return .failure(.other("output of \(command) exceeds \(ChildProcess.outputLimit >> 20) MiB"))
    }
    let name = command.argv.first ?? ""
    if record.state == .notFound {
      if sudo != nil {
        return .failure(.other("sudo is not installed on the host: install it or run without --sudo"))
      }
      return .failure(.commandNotFound(name))
    }
    let stderr = String(decoding: record.stderr, as: UTF8.self)
    if let sudo {
      if record.exitStatus == 1 && stderr.hasPrefix("sudo: \(name): command not found") {
        return .failure(.commandNotFound(name))
      }
      if let problem = sudo.failure(exitStatus: record.exitStatus, stderr: stderr) {
        return .failure(.other(problem))
      }
    }
    return .success(
      CommandOutput(exitStatus: record.exitStatus, stdout: record.stdout, stderr: record.stderr))
  }
}
