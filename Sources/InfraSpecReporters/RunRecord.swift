@_spi(Runner) package import InfraSpecCore

/// Everything a run reported, gathered from its events: the JSON report's document, the input of
/// the reporters that write once at the end, and what a merge replays.
package struct RunRecord: Codable, Equatable {
  static let format = "infraspec-report"
  /// 2: `interrupted` and `abort` (a version 1 reader would merge an interrupted run as green).
  static let version = 2

  package init() {}

  /// Always `infraspec-report`: tells a report from any other JSON.
  var format = Self.format
  /// Bumped whenever a field changes meaning or goes away; readers refuse versions they do not know.
  var version = Self.version
  package var started = Timestamp(millisecondsSince1970: 0)
  var durationMilliseconds: Double = 0
  /// The checks each host was given, after tag filters.
  var checksPerHost = 0
  /// In the order the run named them, not the order they finished in.
  var hosts: [Host] = []
  /// Fleet assertions, judged across hosts after they finished.
  var fleet: [CheckResult] = []
  var summary = Summary()
  /// True when the run did not finish (interrupted, crashed, did not compile): never green.
  var interrupted = false
  /// Why the run did not finish, and the checks that never got a verdict.
  var abort: RunAbort?

  /// The checks of `host` that never finished (`fleet` for fleet assertions).
  func unfinished(of host: String) -> [CheckResult] {
    abort?.unfinished.filter { $0.host == host } ?? []
  }

  /// The verdicts of the results themselves: one "could not check" per unreachable host, one
  /// verdict per check and fleet assertion.
  func recount() -> Summary {
    var summary = Summary()
    for host in hosts {
      if host.failure != nil { summary.couldNotCheck += 1 }
      for result in host.results { summary.count(result.outcome) }
    }
    for result in fleet { summary.count(result.outcome) }
    return summary
  }

  /// The exit code this record's run ends with: an abort outranks every verdict.
  var exitCode: ExitCode { abort?.kind.exitCode ?? summary.exitCode }

  /// The hosts, then the fleet assertions as one more suite named `fleet`: how JUnit and GitHub
  /// reports list them.
  var suites: [Host] {
    guard !fleet.isEmpty || !unfinished(of: "fleet").isEmpty else { return hosts }
    var suite = Host(name: "fleet", started: hosts.compactMap(\.finished).max() ?? started)
    suite.results = fleet
    for result in fleet { suite.summary.count(result.outcome) }
    suite.finished = suite.started
    return hosts + [suite]
  }

  /// Adds one event to the record.
  package mutating func record(_ event: Event, at time: Timestamp) {
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
    case .hostFleetValues(let name, let values):
      update(name, at: time) { $0.fleetValues = values }
    case .fleetCheckFinished(let result):
      fleet.append(result)
    case .runAborted(let abort):
      interrupted = true
      self.abort = abort
    case .runFinished(let summary, let milliseconds):
      self.summary = summary
      durationMilliseconds = milliseconds
      // A host the run named but never heard from has nothing to report or replay, unless its
      // checks are among the unfinished ones.
      let waiting = Set(abort?.unfinished.map(\.host) ?? [])
      hosts.removeAll {
        $0.profile == nil && $0.failure == nil && $0.results.isEmpty && !waiting.contains($0.name)
      }
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
  package func replay(into reporters: inout [any Reporter]) {
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
      if let values = host.fleetValues {
        send(.hostFleetValues(host: host.name, values: values), at: finished)
      }
      // A host an aborted run never finished stays open, as it was in the live stream.
      if host.finished != nil || abort == nil {
        send(.hostFinished(host: host.name, summary: host.summary), at: finished)
      }
    }
    for result in fleet {
      send(.fleetCheckFinished(result), at: started.adding(milliseconds: durationMilliseconds))
    }
    if let abort { send(.runAborted(abort), at: started.adding(milliseconds: durationMilliseconds)) }
    send(
      .runFinished(summary: summary, durationMilliseconds: durationMilliseconds),
      at: started.adding(milliseconds: durationMilliseconds))
  }
}
