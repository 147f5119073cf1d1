/// Why a fact could not be learned: every case ends as "could not check", never as a failed check.
///
/// It prints as its `message`, so an error interpolated into another message never shows as a
/// Swift enum dump (`connection("…")`).
public enum ProbeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The program is not installed on the host (exit 127 from a shell, ENOENT locally).
  case commandNotFound(String)
  /// The command ran longer than its timeout and was killed on the host.
  case timedOut(command: String, after: Duration)
  /// The host could not be reached or the connection broke; one per host, not one per check.
  case connection(String)
  /// The command ran but its output made no sense to the parser.
  case unexpectedOutput(command: String, detail: String)
  /// Anything else that stopped the probe, said in words.
  case other(String)

  public var description: String { message }

  /// One line for reports: what happened, in the grammar of failure messages.
  public var message: String {
    switch self {
    case .commandNotFound(let name): "command not found on host: \(name)"
    case .timedOut(let command, let after): "timed out after \(after.formatted) running \(command)"
    case .connection(let detail): detail
    case .unexpectedOutput(let command, let detail): "unexpected output from \(command): \(detail)"
    case .other(let detail): detail
    }
  }
}

extension Duration {
  /// "1.5s", "250ms": short enough for a failure line.
  package var formatted: String {
    let ms = Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    return ms % 1000 == 0 ? "\(ms / 1000)s" : ms >= 1000 ? "\(Double(ms) / 1000)s" : "\(ms)ms"
  }
}
