/// The verdict of one check; "failed" and "could not check" are never mixed.
public enum Outcome: Sendable, Equatable, Codable {
  /// The host is as the spec says.
  case passed
  /// The host answered and differs from the spec.
  case failed(expected: String, actual: String)
  /// No verdict: the host or a probe could not answer (unreachable, timed out, command missing).
  case couldNotCheck(reason: String)
  /// Not evaluated, for the reason given (the resource is missing, a filter excluded it).
  case skipped(reason: String)

  /// The TAP/JUnit word for the verdict.
  public var word: String {
    switch self {
    case .passed: "passed"
    case .failed: "failed"
    case .couldNotCheck: "could not check"
    case .skipped: "skipped"
    }
  }
}
