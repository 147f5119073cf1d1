internal import ArgumentParser
internal import Foundation
@_spi(Runner) internal import InfraSpec

/// `infraspec run`: compile the specs (cached) and check this machine.
struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Check this machine, or hosts over SSH, against spec files.")

  @OptionGroup var specs: SpecOptions
  @OptionGroup var flags: RunFlags
  @OptionGroup var watch: WatchOptions

  func run() async throws {
    var request = try flags.request()
    specs.apply(to: &request.options)
    if watch.watch { try await SpecWatcher.watch(specs, request: request, every: watch.seconds) }
    try await SpecLauncher.launch(specs.specFiles(), request: request)
  }
}
