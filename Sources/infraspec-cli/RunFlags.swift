internal import ArgumentParser
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports

/// The flags `infraspec run` and a binary made by `infraspec build` share, so the two cannot
/// drift apart: what is printed and written, how long a probe may take, which hosts are checked.
struct RunFlags: ParsableArguments {
  @OptionGroup var targets: HostOptions

  @Option(
    help:
      "Output on stdout: tap (default when piped), human (default on a terminal), junit, junit-strict, json, github."
  )
  var format: OutputFormat?

  @OptionGroup var reports: ReportOptions

  @Option(help: "Seconds before a probe is killed and its checks reported as could not check.")
  var timeout: Double = 30

  @Option(help: "Probes running at once on a host.")
  var concurrency: Int = 16

  @Flag(help: "The human view also shows what each passing check found.")
  var verbose = false

  @OptionGroup var select: SelectOptions
  @OptionGroup var view: ViewOptions

  func validate() throws {
    guard timeout > 0, timeout <= 86_400 else {
      throw ValidationError("--timeout must be between 0 and 86400 seconds")
    }
    guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 256") }
  }

  /// A run request with these flags applied; an empty shard ends the run as "nothing to check".
  func request() throws -> RunRequest {
    var request = RunRequest()
    let terminal = OutputStream.standardOutput.isTerminal
    request.format = format ?? (terminal ? .human : .tap)
    request.reports = reports.targets
    view.apply(to: &request, terminal: terminal)
    select.apply(to: &request.options)
    request.verbose = verbose
    request.shard = targets.shard
    request.options.probeTimeoutSeconds = timeout
    request.options.probeConcurrency = concurrency
    try targets.apply(to: &request)
    if let shard = targets.shard, request.hosts.isEmpty {
      // Never this machine instead: an empty shard checks nothing, and says so.
      InfraSpecReporters.OutputStream.standardError.write(
        "infraspec: nothing to check: shard \(shard) holds none of the hosts\n")
      throw ArgumentParser.ExitCode(InfraSpec.ExitCode.nothingChecked.rawValue)
    }
    return request
  }
}
