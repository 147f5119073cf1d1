internal import ArgumentParser
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports

/// `infraspec list`: every check and the probe commands it needs, without running any.
struct ListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "Show every check and the commands it would run; runs nothing.")

  @OptionGroup var specs: SpecOptions

  @Option(help: "OS family whose commands to show: debian, rhel, alpine.")
  var os: HostProfile.Family = .debian

  /// `text` for people; `json` (checks with file, line, tags and argv of each command) for tools.
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @Option(help: "text (default) or json.")
  var format: Format = .text

  func run() async throws {
    var request = RunRequest()
    request.mode = .list
    request.listFamily = os
    if format == .json { request.format = .json }
    specs.apply(to: &request.options)
    try await SpecLauncher.launch(specs.specFiles(), request: request)
  }
}
