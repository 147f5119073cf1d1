@_spi(Runner) public import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// What the `infraspec` command asks of a compiled spec binary; passed as JSON in its argv.
@_spi(Runner)
public struct RunRequest: Sendable, Codable, Equatable {
  public enum Mode: String, Sendable, Codable {
    /// Check the hosts and report.
    case run
    /// Print every check and the probe commands it needs; run nothing.
    case list
  }

  public var mode: Mode = .run
  public var format: OutputFormat = .tap
  /// Reports written to files besides the one on stdout (`--report FORMAT=PATH`).
  public var reports: [ReportTarget] = []
  public var color = false
  /// The human view also shows what passing checks found.
  public var verbose = false
  /// The human view shows only what did not pass (`--failures-only`).
  public var failuresOnly = false
  /// Columns the human view on stdout wraps at; nil: it does not wrap.
  public var columns: Int?
  public var options = RunOptions()
  /// OS family whose probe commands `list` shows.
  public var listFamily: HostProfile.Family = .debian
  /// Hosts to check over SSH; none: this machine.
  public var hosts: [HostSpec] = []
  public var remote = RemoteOptions()
  /// Hosts checked at once.
  public var jobs = 16
  /// `--shard K/N`: this run checks one shard, and leaves fleet assertions to `report merge`.
  public var shard: String?
  /// A private file the spec binary appends every event to (one JSON line each), so `infraspec`
  /// can still write the reports of what finished when the spec binary crashes.
  public var journal: String?
  /// A file in the private cache where this run's failures are remembered for `--only-failures`.
  public var failureMemory: String?
  /// `--watch`: run rounds until interrupted instead of once.
  public var watch: WatchRequest?

  public init() {}
}

/// The report formats, on stdout (`--format`) or in a file (`--report FORMAT=PATH`).
public enum OutputFormat: String, Sendable, Codable, CaseIterable {
  /// TAP version 13 with YAML diagnostics and one subtest per host.
  case tap
  /// The terminal view.
  case human
  /// JUnit XML, one test suite per host, test cases with `file` and `line`.
  case junit
  /// The same JUnit XML without `file` and `line`: valid against the Jenkins xUnit and Ant schemas.
  case junitStrict = "junit-strict"
  /// The versioned JSON document `infraspec report merge` reads.
  case json
  /// GitHub Actions annotations and job summary.
  case github
}
