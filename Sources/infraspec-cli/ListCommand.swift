internal import ArgumentParser
@_spi(Runner) internal import InfraSpec

/// `infraspec list`: every check and the probe commands it needs, without running any.
struct ListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "Show every check and the commands it would run; runs nothing.")

  @OptionGroup var specs: SpecOptions

  @Option(help: "OS family whose commands to show: debian, rhel, alpine.")
  var os: HostProfile.Family = .debian

  func run() async throws {
    var request = RunRequest()
    request.mode = .list
    request.listFamily = os
    specs.apply(to: &request.options)
    try await SpecLauncher.launch(specs.specFiles(), request: request)
  }
}
