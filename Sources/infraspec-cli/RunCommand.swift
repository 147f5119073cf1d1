internal import ArgumentParser
internal import FoundationEssentials
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
  @OptionGroup var watch: WatchOptions

  func run() async throws {
    var request = try flags.request()
    specs.apply(to: &request.options)
    let files = try specs.specFiles()
    try flags.select.remember(specFolders: SelectOptions.folders(files.specs.map(\.path)), in: &request)
    if watch.watch { try await SpecWatcher.watch(specs, request: request, every: watch.seconds) }
    try await SpecLauncher.launch(files, request: request)
  }
}
