@_spi(Runner) internal import InfraSpecCore

/// Why a report file could not be written or read, with the file it concerns.
@_spi(Runner)
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What kind of problem it is, for callers that react differently to each.
  public enum Code: String, Sendable {
    /// The file or its folder could not be created or written.
    case cannotWrite
    /// The file could not be opened or read.
    case cannotRead
    /// The file is not JSON written by `--report json=`.
    case notAReport
    /// The file is an InfraSpec report of a version this build does not read.
    case unsupportedVersion
    /// Two reports name the same host, so merging would count it twice.
    case duplicateHost
  }

  /// What kind of problem it is.
  public var code: Code
  /// The report file concerned.
  public var path: String
  /// What happened and, where possible, how to fix it.
  public var message: String

  init(_ code: Code, path: String, _ message: String) {
    self.code = code
    self.path = path
    self.message = message
  }

  public var description: String { message }
}
