internal import ArgumentParser
internal import Foundation
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports

/// `infraspec run`: compile the specs (cached) and check this machine.
struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Check this machine, or hosts over SSH, against spec files.")

  @OptionGroup var specs: SpecOptions
  @OptionGroup var flags: RunFlags

  func run() async throws {
    var request = try flags.request()
    specs.apply(to: &request.options)
    try await SpecLauncher.launch(specs.specFiles(), request: request)
  }
}
