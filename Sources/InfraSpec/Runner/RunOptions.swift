@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// How a run behaves; decoded from what the command line asked.
public struct RunOptions: Sendable, Codable, Equatable {
  /// Each probe is killed after this long and reported "could not check".
  public var probeTimeoutSeconds: Double = 30
  /// Only checks with at least one of these tags (none given: all checks).
  public var tags: [String] = []
  /// Never checks with any of these tags.
  public var skipTags: [String] = []
  /// Probes running at once on one host.
  public var probeConcurrency = 16
  /// What `file:line`, `--filter` and `--only-failures` select (see `CheckSelection`).
  public var selection = CheckSelection()
  /// `--fail-fast`: stop at the first check that does not pass.
  public var failFast = false
  /// The folder where each host's OS detection is remembered between runs (`ProfileMemory`);
  /// nil: detect every time, in a login of its own.
  package var profileMemory: String? = nil

  /// The defaults of `infraspec run`.
  public init() {}

  var probeTimeout: Duration { .milliseconds(Int64(probeTimeoutSeconds * 1000)) }

  /// Whether `check` survives `--tag` and `--skip-tag`.
  func selects(_ check: Check) -> Bool {
    if !skipTags.isEmpty && !check.tags.isDisjoint(with: skipTags) { return false }
    return (tags.isEmpty || !check.tags.isDisjoint(with: tags)) && selection.selects(check)
  }
}
