/// Everything a run reported, gathered from its events: the JSON report's document, the input of
/// the reporters that write once at the end, and what a merge replays.
struct RunRecord: Codable, Equatable {
  static let format = "infraspec-report"
  static let version = 1

  /// Always `infraspec-report`: tells a report from any other JSON.
  var format = Self.format
  /// Bumped whenever a field changes meaning or goes away; readers refuse versions they do not know.
  var version = Self.version
  var started = Timestamp(millisecondsSince1970: 0)
  var durationMilliseconds: Double = 0
  /// The checks each host was given, after tag filters.
  var checksPerHost = 0
  /// In the order the run named them, not the order they finished in.
  var hosts: [Host] = []
  /// Fleet assertions, judged across hosts after they finished.
  var fleet: [CheckResult] = []
  var summary = Summary()

  /// The hosts, then the fleet assertions as one more suite named `fleet`: how JUnit and GitHub
  /// reports list them.
  var suites: [Host] {
    guard !fleet.isEmpty else { return hosts }
    var suite = Host(name: "fleet", started: hosts.compactMap(\.finished).max() ?? started)
    suite.results = fleet
    for result in fleet { suite.summary.count(result.outcome) }
    suite.finished = suite.started
    return hosts + [suite]
  }

  /// Adds one event to the record.
  mutating func record(_ event: Event, at time: Timestamp) {
    switch event {
    case .runStarted(let names, let checksPerHost):
      started = time
      self.checksPerHost = checksPerHost
      hosts = names.map { Host(name: $0, started: time) }
    case .hostStarted(let name, let profile):
      update(name, at: time) {
        $0.profile = profile
        $0.started = time
      }
    case .checkFinished(let result):
      update(result.host, at: time) { $0.results.append(result) }
    case .hostFailed(let name, let reason):
      update(name, at: time) {
        $0.failure = reason
        if $0.profile == nil { $0.started = time }
      }
    case .hostFinished(let name, let summary):
      update(name, at: time) {
        $0.summary = summary
        $0.finished = time
      }
    case .fleetCheckFinished(let result):
      fleet.append(result)
    case .runFinished(let summary, let milliseconds):
      self.summary = summary
      durationMilliseconds = milliseconds
      // A host the run named but never heard from has nothing to report or replay.
      hosts.removeAll { $0.profile == nil && $0.failure == nil && $0.results.isEmpty }
    }
  }

  private mutating func update(_ name: String, at time: Timestamp, _ change: (inout Host) -> Void) {
    if let index = hosts.firstIndex(where: { $0.name == name }) {
      change(&hosts[index])
    } else {
      var host = Host(name: name, started: time)
      change(&host)
      hosts.append(host)
    }
  }

  /// Sends the events that made this record, with their recorded times, to every reporter.
  func replay(into reporters: inout [any Reporter]) {
    func send(_ event: Event, at time: Timestamp) {
      for index in reporters.indices { reporters[index].report(event, at: time) }
    }
    send(.runStarted(hosts: hosts.map(\.name), checksPerHost: checksPerHost), at: started)
    for host in hosts {
      if let profile = host.profile {
        send(.hostStarted(host: host.name, profile: profile), at: host.started)
      }
      if let failure = host.failure { send(.hostFailed(host: host.name, reason: failure), at: host.started) }
      let finished = host.finished ?? host.started
      for result in host.results { send(.checkFinished(result), at: finished) }
      send(.hostFinished(host: host.name, summary: host.summary), at: finished)
    }
    for result in fleet {
      send(.fleetCheckFinished(result), at: started.adding(milliseconds: durationMilliseconds))
    }
    send(
      .runFinished(summary: summary, durationMilliseconds: durationMilliseconds),
      at: started.adding(milliseconds: durationMilliseconds))
  }
}
