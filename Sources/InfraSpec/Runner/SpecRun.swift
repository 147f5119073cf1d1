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
    // Ctrl-C ends the event stream early: what finished is reported, local probes are killed
    // below, and remote ones die with their connection (their watchdogs kill them at the timeout
    // anyway).
    let interruption = Interruption.install { sink.finish() }
    defer { interruption.cancel() }
    let hostChecks = checks.filter { $0.fleetRule == nil }
    let fleetChecks = checks.filter { $0.fleetRule != nil }
    sink.yield(.runStarted(hosts: targets.map(\.name), checksPerHost: hostChecks.count))
    let (options, targets, jobs) = (self.options, self.targets, self.jobs)
    Task {
      var total = Summary()
      var fleetValues: [String: [Int: Result<String, ProbeError>]] = [:]
      var failures: [String: String] = [:]
      await withTaskGroup(of: (String, HostRunner.HostOutcome).self) { group in
        var pending = targets[...]
        func startNext() {
          guard let target = pending.popFirst() else { return }
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
              await transport.close()
              return (target.name, outcome)
            }
          }
        }
        for _ in 0..<max(1, jobs) { startNext() }
        for await (host, outcome) in group {
          total.add(outcome.summary)
          fleetValues[host] = outcome.fleetValues
          if let failure = outcome.failure { failures[host] = failure }
          startNext()
        }
      }
      for (index, check) in fleetChecks.enumerated() {
        let hosts = targets.filter { check.applies(toHostIn: $0.groups) }.map(\.name)
        let result = Self.judgeFleet(
          check, hosts: hosts, values: fleetValues.mapValues { $0[index] }, failures: failures)
        total.count(result.outcome)
        sink.yield(.fleetCheckFinished(result))
      }
      sink.yield(
        .runFinished(summary: total, durationMilliseconds: Double((clock.now - started).milliseconds)))
      sink.finish()
    }
    var total = Summary()
    var counted = Summary()
    var finished = false
    for await event in events {
      switch event {
      case .runFinished(let summary, _):
        total = summary
        finished = true
      case .checkFinished(let result), .fleetCheckFinished(let result):
        counted.count(result.outcome)
      case .hostFailed:
        counted.couldNotCheck += 1
      default:
        break
      }
      for index in reporters.indices { reporters[index].report(event) }
    }
    guard finished else {
      // After the stream ended, so the verdicts of the probes killed here (exit 137) are never
      // reported, and before returning, so none outlives the process.
      ChildProcess.killAll()
      let event = Event.runFinished(
        summary: counted, durationMilliseconds: Double((clock.now - started).milliseconds))
      for index in reporters.indices { reporters[index].report(event) }
      OutputStream.standardError.write(
        "infraspec: interrupted; reported what had finished: \(counted.line)\n")
      return Ending(summary: counted, interrupted: true)
    }
    return Ending(summary: total, interrupted: false)
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
    let verdict = check.fleetRule?.judge(known) ?? .pass
    let outcome: Outcome =
      switch verdict {
      case .fail(let expected, let actual): .failed(expected: expected, actual: actual)
      case _ where !unknown.isEmpty: .couldNotCheck(reason: unknown.joined(separator: "; "))
      default: .passed
      }
    return CheckResult(
      host: "fleet", number: 0, groups: check.groups, subject: check.subject, property: check.property,
      title: check.title, location: check.location, tags: check.tags.sorted(), outcome: outcome,
      probes: [], durationMilliseconds: 0)
  }
}
