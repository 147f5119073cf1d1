@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A report written to a file beside the one on stdout: `--report junit=out/junit.xml`.
@_spi(Runner)
public struct ReportTarget: Sendable, Codable, Equatable {
  public var format: OutputFormat
  public var path: String

  public init(format: OutputFormat, path: String) {
    self.format = format
    self.path = path
  }

  /// Reads `FORMAT=PATH`; nil when there is no `=`, the format is unknown or the path is empty.
  public init?(_ argument: String) {
    guard let equals = argument.firstIndex(of: "="),
      let format = OutputFormat(rawValue: String(argument[..<equals])),
      argument.index(after: equals) < argument.endIndex
    else { return nil }
    self.init(format: format, path: String(argument[argument.index(after: equals)...]))
  }
}
