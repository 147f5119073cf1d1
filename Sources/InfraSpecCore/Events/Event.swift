/// What happens during a run, in order; reporters turn events into TAP, JUnit, a terminal view.
@_spi(Runner)
public enum Event: Sendable, Codable {
  /// Before anything runs: the hosts and how many checks each will report.
  case runStarted(hosts: [String], checksPerHost: Int)
  /// A host answered the profile probes (or could not be reached: see `hostFailed`).
  case hostStarted(host: String, profile: HostProfile)
  /// One check got its verdict.
  case checkFinished(CheckResult)
  /// The host could not be checked at all (unreachable, refused): one verdict for the whole host.
  case hostFailed(host: String, reason: String)
  /// Every check of the host has its verdict.
  case hostFinished(host: String, summary: Summary)
  /// The host's value for each fleet assertion that applies to it, so a merge of shards can judge
  /// fleet assertions over all of them.
  case hostFleetValues(host: String, values: [FleetValue])
  /// A fleet assertion judged across all hosts (its `host` is `fleet`), after every host finished.
  case fleetCheckFinished(CheckResult)
  /// The run stopped before it finished (interrupted, crashed, did not compile); sent just before
  /// `runFinished`, whose summary counts only what finished.
  case runAborted(RunAbort)
  /// The run is over; `summary` counts every host.
  case runFinished(summary: Summary, durationMilliseconds: Double)
}
