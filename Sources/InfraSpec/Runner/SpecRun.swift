@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import Dispatch
internal import Synchronization

/// A host to check: what reports call it, its inventory groups, and how to reach it.
struct HostTarget: Sendable {
  var name: String
  /// Inventory groups, always including `all`.
  var groups: Set<String>
  /// Opens the connection; called when the host's turn comes, so `--jobs` bounds connections.
  var connect: @Sendable () async -> Result<any Transport, ProbeError>
}

/// One run: the selected checks on every host, hosts concurrently, events to the reporters in order.
struct SpecRun {
  let checks: [Check]
  let targets: [HostTarget]
  let options: RunOptions
  /// Hosts checked at once.
  let jobs: Int
  /// `2/8` when this run is one shard: fleet assertions are then judged by `report merge`.
  var shard: String? = nil
  /// `--watch`: the connections outlive the run, for the next round (see `WatchLoop`).
  var keepsConnections = false

  /// How a run ended.
  struct Ending {
    var summary: Summary
    /// Ctrl-C or SIGTERM stopped it; the summary counts what had finished.
    var interrupted: Bool
  }

  func execute(reporters: inout [any Reporter]) async -> Ending {
    let clock = ContinuousClock()
    let started = clock.now
    let (events, sink) = AsyncStream.makeStream(of: Event.self)
    let hostChecks = checks.filter { $0.fleetRule == nil }
    let fleetChecks = checks.filter { $0.fleetRule != nil }
    sink.yield(.runStarted(hosts: targets.map(\.name), checksPerHost: hostChecks.count))
    let (options, targets, jobs) = (self.options, self.targets, self.jobs)
    let keepsConnections = self.keepsConnections
    let producer = Task {
      var total = Summary()
      var fleetValues: [String: [Int: Result<String, ProbeError>]] = [:]
      var failures: [String: String] = [:]
      await withTaskGroup(of: (String, HostRunner.HostOutcome).self) { group in
        var pending = targets[...]
        func startNext() {
          // Interrupted: no new host starts.
          guard !Task.isCancelled, let target = pending.popFirst() else { return }
          group.addTask {
            switch await target.connect() {
            case .failure(let error):
              // One "could not check" for the host, not one per check.
              sink.yield(.hostFailed(host: target.name, reason: error.message))
              var summary = Summary()
              summary.couldNotCheck = 1
              sink.yield(.hostFinished(host: target.name, summary: summary))
              return (
                target.name,
                HostRunner.HostOutcome(summary: summary, fleetValues: [:], failure: error.message)
              )
            case .success(let transport):
              let runner = HostRunner(
                transport: transport, checks: hostChecks.filter { $0.applies(toHostIn: target.groups) },
                options: options, fleetChecks: fleetChecks, name: target.name)
              let outcome = await runner.run { sink.yield($0) }
              if !keepsConnections { await transport.close() }
              return (target.name, outcome)
            }
          }
        }
        for _ in 0..<max(1, jobs) { startNext() }
        for await (host, outcome) in group {
          total.add(outcome.summary)
          fleetValues[host] = outcome.fleetValues
          if let failure = outcome.failure { failures[host] = failure }
          if let target = targets.first(where: { $0.name == host }), !fleetChecks.isEmpty {
            let values = Self.fleetValues(
              fleetChecks, of: target, values: outcome.fleetValues, failure: outcome.failure)
            if !values.isEmpty { sink.yield(.hostFleetValues(host: host, values: values)) }
          }
          startNext()
        }
      }
      // Interrupted: the hosts have reported what finished; the run's end is the consumer's.
      guard !Task.isCancelled else { return sink.finish() }
      for (index, check) in fleetChecks.enumerated() {
        let hosts = targets.filter { check.applies(toHostIn: $0.groups) }.map(\.name)
        var result = Self.judgeFleet(
          check, hosts: hosts, values: fleetValues.mapValues { $0[index] }, failures: failures)
        if let shard, !hosts.isEmpty {
          // One shard sees only its own hosts: a value shared with another shard would pass here.
          result.outcome = .skipped(reason: "judged at merge: this run is shard \(shard)")
        }
        total.count(result.outcome)
        sink.yield(.fleetCheckFinished(result))
      }
      sink.yield(
        .runFinished(summary: total, durationMilliseconds: Double((clock.now - started).milliseconds)))
      sink.finish()
    }
    // Ctrl-C or SIGTERM cancels the hosts, which report every check whose probes had answered
    // (also those after a slow one) and stop; a host that does not stop within a second (a
    // connect that ignores cancellation) is cut off. Local probes are killed below, remote ones
    // die with their connection (their watchdogs kill them at the timeout anyway).
    let signalName = SignalName()
    let interruption = Interruption.install { name in
      guard signalName.set(name) else { return }
      producer.cancel()
      DispatchQueue.global().asyncAfter(deadline: .now() + 1) { sink.finish() }
    }
    defer { interruption.cancel() }
    var total = Summary()
    var counted = Summary()
    var finished = false
    var done: [String: Set<Int>] = [:]
    var unreachable: Set<String> = []
    var stoppedAtFailure = false
    for await event in events {
      // --fail-fast: after the first check that did not pass nothing more is reported; what
      // had not been reported is listed below as not run.
      if stoppedAtFailure { continue }
      switch event {
      case .runFinished(let summary, _):
        total = summary
        finished = true
      case .checkFinished(let result):
        counted.count(result.outcome)
        done[result.host, default: []].insert(result.number)
      case .fleetCheckFinished(let result):
        counted.count(result.outcome)
      case .hostFailed(let host, _):
        counted.couldNotCheck += 1
        unreachable.insert(host)
      default:
        break
      }
      for index in reporters.indices { reporters[index].report(event) }
      if options.failFast, event.isFailure {
        stoppedAtFailure = true
        producer.cancel()
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { sink.finish() }
      }
    }
    guard finished else {
      // After the stream ended, so the verdicts of the probes killed here (exit 137) are never
      // reported, and before returning, so none outlives the process.
      ChildProcess.killAll()
      SSHClientProcess.terminateAll()
      let stopped = stoppedAtFailure && signalName.value == nil
      let reason =
        stopped ? RunAbort.failFastReason : "interrupted by \(signalName.value ?? "a signal")"
      var unfinished: [CheckResult] = []
      for target in targets where !unreachable.contains(target.name) {
        let planned = hostChecks.filter { $0.applies(toHostIn: target.groups) }
        for (index, check) in planned.enumerated() where !(done[target.name]?.contains(index + 1) ?? false) {
          unfinished.append(
            Self.unfinished(check, host: target.name, number: index + 1, reason: reason, notRun: stopped))
        }
      }
      for (index, check) in fleetChecks.enumerated() {
        unfinished.append(
          Self.unfinished(check, host: "fleet", number: index + 1, reason: reason, notRun: stopped))
      }
      if stopped && unfinished.isEmpty {
        // The first failure was the last check: the run did finish.
        let end = Event.runFinished(
          summary: counted, durationMilliseconds: Double((clock.now - started).milliseconds))
        for index in reporters.indices { reporters[index].report(end) }
        return Ending(summary: counted, interrupted: false)
      }
      let abort = RunAbort(kind: stopped ? .failFast : .interrupted, reason: reason, unfinished: unfinished)
      let end: [Event] = [
        .runAborted(abort),
        .runFinished(summary: counted, durationMilliseconds: Double((clock.now - started).milliseconds)),
      ]
      for event in end {
        for index in reporters.indices { reporters[index].report(event) }
      }
      OutputStream.standardError.write(
        "infraspec: \(abort.line); reported what had finished: \(counted.line)\n")
      return Ending(summary: counted, interrupted: !stopped)
    }
    return Ending(summary: total, interrupted: false)
  }

  /// What `target` contributes to each fleet assertion that applies to it.
  static func fleetValues(
    _ checks: [Check], of target: HostTarget, values: [Int: Result<String, ProbeError>], failure: String?
  ) -> [FleetValue] {
    checks.enumerated().compactMap { index, check in
      guard let rule = check.fleetRule, check.applies(toHostIn: target.groups) else { return nil }
      var value = FleetValue(check: FleetValue.id(check.location), rule: rule.mode.rawValue)
      switch values[index] {
      case .success(let found): value.value = found
      case .failure(let error): value.problem = error.message
      case nil: value.problem = failure ?? "not checked"
      }
      return value
    }
  }

  /// A planned check that never got a verdict: "could not check", saying why.
  /// With `notRun` (`--fail-fast`), "skipped": the run chose not to check it.
  static func unfinished(_ check: Check, host: String, number: Int, reason: String, notRun: Bool = false)
    -> CheckResult
  {
    CheckResult(
      host: host, number: number, groups: check.groups, subject: check.subject, property: check.property,
      title: check.title, location: check.location, tags: check.tags.sorted(),
      outcome: notRun
        ? .skipped(reason: "not run: \(reason)") : .couldNotCheck(reason: "did not finish: \(reason)"),
      probes: [], durationMilliseconds: 0)
  }

  /// A difference among the hosts that answered is a failure even if others did not answer;
  /// agreement is only a pass when every host answered.
  static func judgeFleet(
    _ check: Check, hosts: [String], values: [String: Result<String, ProbeError>?], failures: [String: String]
  ) -> CheckResult {
    guard !hosts.isEmpty else {
      return CheckResult(
        host: "fleet", number: 0, groups: check.groups, subject: check.subject, property: check.property,
        title: check.title, location: check.location, tags: check.tags.sorted(),
        outcome: .skipped(
          reason: "no host of this run is in \(check.hostGroups.sorted().joined(separator: ", "))"),
        probes: [], durationMilliseconds: 0)
    }
    var known: [(host: String, value: String)] = []
    var unknown: [String] = []
    for host in hosts {
      switch values[host] ?? nil {
      case .success(let value): known.append((host, value))
      case .failure(let error): unknown.append("\(host): \(error.message)")
      case nil: unknown.append("\(host): \(failures[host] ?? "not checked")")
      }
    }
    let outcome = check.fleetRule?.outcome(known: known, unknown: unknown) ?? .passed
    return CheckResult(
      host: "fleet", number: 0, groups: check.groups, subject: check.subject, property: check.property,
      title: check.title, location: check.location, tags: check.tags.sorted(), outcome: outcome,
      probes: [], durationMilliseconds: 0)
  }
}

extension Event {
  /// A check or host that did not pass: where `--fail-fast` stops.
  var isFailure: Bool {
    switch self {
    case .checkFinished(let result), .fleetCheckFinished(let result):
      switch result.outcome {
      case .failed, .couldNotCheck: true
      case .passed, .skipped: false
      }
    case .hostFailed: true
    default: false
    }
  }
}

/// The first signal that interrupted the run; later ones change nothing.
private final class SignalName: Sendable {
  private let name = Mutex<String?>(nil)

  /// Records `value` unless a signal came before; true when this was the first.
  func set(_ value: String) -> Bool {
    name.withLock { current in
      guard current == nil else { return false }
      current = value
      return true
    }
  }

  var value: String? { name.withLock { $0 } }
}
