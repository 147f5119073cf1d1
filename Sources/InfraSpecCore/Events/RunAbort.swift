/// Why a run stopped before it finished, and the checks it never finished: reports carry this so
/// an interrupted, crashed or uncompiled run is never green.
@_spi(Runner)
public struct RunAbort: Sendable, Codable, Equatable {
  /// Why the run stopped early.
  public enum Kind: String, Sendable, Codable {
    /// Ctrl-C or SIGTERM (or a CI job timeout) stopped the run.
    case interrupted
    /// The spec binary died (a Swift runtime trap, a signal).
    case crashed
    /// A spec file does not compile: nothing ran.
    case doesNotCompile
    /// `--fail-fast` stopped the run at the first check that did not pass; the rest was not run.
    case failFast

    /// The exit code a run (or a merge of its report) ends with.
    public var exitCode: ExitCode {
      switch self {
      case .interrupted: .interrupted
      case .crashed: .specCrashed
      case .doesNotCompile: .specDoesNotCompile
      case .failFast: .checkFailed
      }
    }
  }

  /// Which of the reasons it was.
  public var kind: Kind
  /// One line for people: `interrupted by SIGINT`, `the spec crashed: Fatal error: … at Specs/x.swift:5`.
  public var reason: String
  /// More than fits one line, for reports that can show it: the compiler's diagnostics, the crash's
  /// message and backtrace.
  public var detail: String?
  /// Checks that were planned and never got a verdict, each "could not check" with the reason.
  public var unfinished: [CheckResult]

  /// An abort with its reason and the checks that got no verdict.
  public init(kind: Kind, reason: String, detail: String? = nil, unfinished: [CheckResult] = []) {
    self.kind = kind
    self.reason = reason
    self.detail = detail
    self.unfinished = unfinished
  }

  /// `interrupted by SIGINT; 2 checks did not finish`
  public var line: String {
    let count = unfinished.count
    let what = kind == .failFast ? "not run" : "did not finish"
    return count == 0 ? reason : "\(reason); \(count) check\(count == 1 ? "" : "s") \(what)"
  }

  /// Why a `--fail-fast` run stopped.
  public static let failFastReason = "stopped at the first failure (--fail-fast)"
}
