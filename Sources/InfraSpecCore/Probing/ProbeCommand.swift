/// One command a probe runs on a host, as an argv array: never a shell string.
///
/// The argv is quoted in exactly one place (`ShellQuoting.quote`) when a transport needs a shell;
/// a resource name with `;`, `$()`, quotes or newlines stays data.
public struct ProbeCommand: Hashable, Sendable, CustomStringConvertible {
  /// Program and arguments; `argv[0]` is looked up in `PATH` on the host.
  public var argv: [String]
  /// Bytes fed to the command's standard input (empty: stdin is closed / /dev/null).
  public var stdin: [UInt8]

  /// The command `argv` (never a shell string), with `stdin` fed to it.
  public init(_ argv: [String], stdin: [UInt8] = []) {
    self.argv = argv
    self.stdin = stdin
  }

  /// The command as a user would type it in a POSIX shell (used in reports and for `sh -c`).
  public var description: String { argv.map(ShellQuoting.quote).joined(separator: " ") }
}

/// Quotes arguments for a POSIX shell; the only place InfraSpec builds shell text.
package enum ShellQuoting {
  package static func quote(_ argument: String) -> String {
    let safe = argument.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0)) }
    if safe && !argument.isEmpty { return argument }
    return "'" + argument.replacing("'", with: "'\\''") + "'"
  }
}
