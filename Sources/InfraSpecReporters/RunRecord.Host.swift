@_spi(Runner) internal import InfraSpecCore

extension RunRecord {
  /// One host's part of a run.
  struct Host: Codable, Equatable {
    var name: String
    /// What the host said it is; nil when it could not be reached.
    var profile: HostProfile?
    var started: Timestamp
    var finished: Timestamp?
    /// Why the host could not be checked at all, from `hostFailed`.
    var failure: String?
    var results: [CheckResult] = []
    var summary = Summary()
    /// The host's values for the fleet assertions, which a merge of shards judges again.
    var fleetValues: [FleetValue]?

    init(name: String, started: Timestamp) {
      self.name = name
      self.started = started
    }

    /// Wall time from the host's first answer (or failure) to its last result.
    var durationMilliseconds: Double {
      (finished ?? started).milliseconds(since: started)
    }
  }
}
