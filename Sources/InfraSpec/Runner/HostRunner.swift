@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// Checks one host: learns its profile, runs every distinct probe once, judges checks in order.
struct HostRunner: Sendable {
  let transport: any Transport
  let checks: [Check]
  let options: RunOptions
  /// Fleet assertions whose value this host contributes; judged by `SpecRun` across hosts.
  var fleetChecks: [Check] = []
  /// The host's name in reports (the inventory name); the transport's own name when not given.
  var name: String? = nil
  /// What `eventually` waits with; tests give a clock they advance.
  var clock: any RunClock = ContinuousRunClock()

  /// What a host run leaves for the run as a whole.
  struct HostOutcome: Sendable {
    var summary: Summary
    /// Per fleet check (by index in `fleetChecks`): the host's value, or why it has none.
    var fleetValues: [Int: Result<String, ProbeError>]
    /// Set when the host could not be checked at all.
    var failure: String?
  }

  /// Emits `hostStarted` (or `hostFailed`), one `checkFinished` per check in spec order as soon as
  /// its probes have answered, then `hostFinished`.
  func run(emit: @Sendable (Event) async -> Void) async -> HostOutcome {
    let host = name ?? transport.hostName
    // This machine's detection costs no login; a remote host's costs one of its own.
    let memory = transport is LocalTransport ? nil : options.profileMemory.map(ProfileMemory.init(directory:))
    let memoryKey = "\(host) \(transport.hostName)"
    // A remembered detection: planned from it, checked in the same batch (one login). When it no
    // longer holds, nothing was reported and the host is detected anew, as on a first run.
    if let memory, let known = memory.recall(memoryKey),
      case .finished(let outcome) = await run(detection: known, verifying: true, emit: emit)
    {
      return outcome
    }
    let detection: ProfileMemory.Detection
    do throws(ProbeError) {
      detection = try await detect()
    } catch {
      var summary = Summary()
      await emit(.hostFailed(host: host, reason: error.message))
      summary.couldNotCheck += 1
      await emit(.hostFinished(host: host, summary: summary))
      return HostOutcome(summary: summary, fleetValues: [:], failure: error.message)
    }
    memory?.remember(detection, for: memoryKey)
    guard case .finished(let outcome) = await run(detection: detection, verifying: false, emit: emit) else {
      preconditionFailure("a run that verifies nothing cannot find its detection stale")
    }
    return outcome
  }

  /// How a planned run ended: finished, or its remembered detection was not what the host says
  /// now (or the host gave no answer) and nothing was reported yet.
  private enum Planned {
    case finished(HostOutcome)
    case stale
  }

  /// Plans from `detection` and runs the checks. `verifying`: the detection is a memory, so the
  /// batch asks it again, and no check is reported until the answer matches.
  private func run(
    detection: ProfileMemory.Detection, verifying: Bool, emit: @Sendable (Event) async -> Void
  ) async -> Planned {
    let host = name ?? transport.hostName
    var summary = Summary()
    let profile = HostProfile.detect(osRelease: detection.osRelease, initComm: detection.initComm)
    if !verifying { await emit(.hostStarted(host: host, profile: profile)) }
    var verified = !verifying

    let plans: [Result<FactPlan, ProbeError>] = checks.map { check in
      Result { () throws(ProbeError) in try check.plan(profile) }
    }
    let fleetPlans: [Result<FactPlan, ProbeError>] = fleetChecks.map { check in
      Result { () throws(ProbeError) in try check.plan(profile) }
    }
    var distinct: [ProbeCommand] = []
    var queries: [NetworkQuery] = []
    var seen: Set<ProbeCommand> = []
    var seenQueries: Set<NetworkQuery> = []
    if verifying {
      for command in [HostProfile.osReleaseCommand, HostProfile.initCommand]
      where seen.insert(command).inserted {
        distinct.append(command)
      }
    }
    for case .success(let plan) in plans + fleetPlans {
      for command in plan.commands where seen.insert(command).inserted { distinct.append(command) }
      for query in plan.queries where seenQueries.insert(query).inserted { queries.append(query) }
    }

    let started = ContinuousClock.now
    var outputs = ProbeOutputs()
    var finishedAt: [ProbeCommand: Duration] = [:]
    var queryTimes: [NetworkQuery: Duration] = [:]
    var next = 0
    var connectionLost = false
    // Judge every check whose probes have all answered, keeping spec order for the stream.
    func emitReady() async {
      guard verified else { return }
      while next < checks.count {
        let check = checks[next]
        let plan = plans[next]
        if case .success(let plan) = plan, !outputs.isComplete(plan) { return }
        let judged = judge(check, plan: plan, outputs: outputs, number: next + 1)
        var result = judged.result
        if let lost = judged.lostConnection, !connectionLost {
          // One "could not check" for the host, not one per check.
          connectionLost = true
          summary.couldNotCheck += 1
          await emit(.hostFailed(host: host, reason: "connection lost: \(lost)"))
        }
        if case .success(let plan) = plan {
          result.durationMilliseconds = plan.duration(finishedAt, queryTimes)
        }
        if let retry = check.retry, result.outcome != .passed, case .success(let plan) = plan {
          result = await retrying(check, plan: plan, retry: retry, number: next + 1, last: result)
        }
        summary.count(result.outcome)
        await emit(.checkFinished(result))
        next += 1
      }
    }
    await emitReady()
    for await arrival in gather(distinct, queries) {
      switch arrival {
      case .command(let command, let result):
        outputs.results[command] = result
        if !verified, let answer = Self.detection(in: outputs) {
          // Stale: the stream is dropped (its batch killed) and nothing was reported.
          guard answer == detection else { return .stale }
          verified = true
          await emit(.hostStarted(host: host, profile: profile))
        }
        // The probe's own time when the transport measured it (a batch runs probes one after
        // another: the time since the host's first probe would count every earlier one).
        finishedAt[command] = (try? result.get())?.duration ?? (ContinuousClock.now - started)
      case .query(let query, let result, let took):
        outputs.answers[query] = result
        queryTimes[query] = took
      }
      await emitReady()
    }
    if Task.isCancelled {
      // Interrupted before a remembered detection was confirmed: nothing planned from it counts.
      guard verified else { return .finished(HostOutcome(summary: summary, fleetValues: [:], failure: nil)) }
      // Interrupted: every check whose probes all answered is reported, also after a slow one.
      for (index, check) in checks.enumerated().dropFirst(next) {
        if case .success(let plan) = plans[index], !outputs.isComplete(plan) { continue }
        var result = judge(check, plan: plans[index], outputs: outputs, number: index + 1).result
        if case .success(let plan) = plans[index] {
          result.durationMilliseconds = plan.duration(finishedAt, queryTimes)
        }
        summary.count(result.outcome)
        await emit(.checkFinished(result))
      }
      return .finished(HostOutcome(summary: summary, fleetValues: [:], failure: nil))
    }
    // The stream ended before the detection answered (a lost connection): detect anew, which
    // reports the host as it fails.
    if !verified { return .stale }
    // A transport that ended its stream early (connection lost) leaves probes unanswered.
    for command in distinct where outputs.results[command] == nil {
      outputs.results[command] = .failure(.connection("no answer from \(host) for \(command)"))
    }
    await emitReady()
    await emit(.hostFinished(host: host, summary: summary))
    var fleetValues: [Int: Result<String, ProbeError>] = [:]
    for (index, (check, plan)) in zip(fleetChecks, fleetPlans).enumerated() {
      fleetValues[index] = Result { () throws(ProbeError) in
        guard let rule = check.fleetRule else { throw .other("internal: not a fleet check") }
        switch try plan.get().read(outputs) {
        case .present(let facts): return rule.value(facts)
        case .absent(let why): return why
        }
      }
    }
    return .finished(HostOutcome(summary: summary, fleetValues: fleetValues, failure: nil))
  }

  enum Arrival: Sendable {
    case command(ProbeCommand, Result<CommandOutput, ProbeError>)
    case query(NetworkQuery, Result<any Sendable, ProbeError>, Duration)
  }

  /// Command results and query answers, each as it arrives: commands through the transport (one
  /// batch), queries concurrently beside them.
  func gather(_ commands: [ProbeCommand], _ queries: [NetworkQuery]) -> AsyncStream<Arrival> {
    let (stream, sink) = AsyncStream.makeStream(of: Arrival.self)
    let (transport, timeout) = (self.transport, options.probeTimeout)
    // Probes asking one tool about many subjects run as one process (see `ProbeFusion`).
    let fusion = FusionPlan(commands, keep: transport.runsUnfused)
    let task = Task {
      await withTaskGroup(of: Void.self) { group in
        if !commands.isEmpty {
          group.addTask {
            for await (command, result) in transport.runAll(fusion.commands, timeout: timeout) {
              for (original, part) in fusion.results(of: command, result) {
                sink.yield(.command(original, part))
              }
            }
          }
        }
        for query in queries {
          group.addTask {
            // A query's own time, for its check's report: queries run beside the batch.
            let clock = ContinuousClock()
            let started = clock.now
            let answer = await query.ask(transport)
            sink.yield(.query(query, answer, clock.now - started))
          }
        }
      }
      sink.finish()
    }
    sink.onTermination = { _ in task.cancel() }
    return stream
  }

  private func detect() async throws(ProbeError) -> ProfileMemory.Detection {
    let commands = [HostProfile.osReleaseCommand, HostProfile.initCommand]
    var outputs = ProbeOutputs()
    for await (command, result) in transport.runAll(commands, timeout: options.probeTimeout) {
      outputs.results[command] = result
    }
    let osRelease = try outputs.output(HostProfile.osReleaseCommand)
    // No PID 1 name (a restricted /proc) only means no service manager can answer.
    let initComm = (try? outputs.output(HostProfile.initCommand))?.stdoutText ?? ""
    return ProfileMemory.Detection(osRelease: osRelease.stdoutText, initComm: initComm)
  }

  /// The detection's answer once both of its commands have one: nil while one is missing,
  /// `.some(nil)` when the host could not answer (the run then detects anew).
  private static func detection(in outputs: ProbeOutputs) -> ProfileMemory.Detection?? {
    guard let osRelease = outputs.results[HostProfile.osReleaseCommand],
      let initComm = outputs.results[HostProfile.initCommand]
    else { return nil }
    guard case .success(let release) = osRelease else { return .some(nil) }
    return .some(
      ProfileMemory.Detection(
        osRelease: release.stdoutText, initComm: (try? initComm.get())?.stdoutText ?? ""))
  }

  /// The check's verdict; a connection lost under it is reported by the caller once for the host,
  /// so the check itself is skipped with that reason rather than counted again.
  private func judge(
    _ check: Check, plan: Result<FactPlan, ProbeError>, outputs: ProbeOutputs, number: Int
  ) -> (result: CheckResult, lostConnection: String?) {
    let outcome: Outcome
    var found: String?
    var coverage: String?
    var lost: String?
    var probes: [String] = []
    switch plan {
    case .failure(let error):
      outcome = .couldNotCheck(reason: error.message)
    case .success(let plan):
      probes = plan.commands.map(\.description) + plan.queries.map(\.description)
      do throws(ProbeError) {
        switch check.judge(try plan.read(outputs)) {
        case .pass: outcome = .passed
        case .passed(let value):
          outcome = .passed
          found = value
        case .covered(let text):
          outcome = .passed
          (found, coverage) = (text, text)
        case .fail(let expected, let actual): outcome = .failed(expected: expected, actual: actual)
        case .cannotCheck(let reason): outcome = .couldNotCheck(reason: reason)
        case .skip(let reason): outcome = .skipped(reason: reason)
        }
      } catch .connection(let detail) {
        outcome = .skipped(reason: "the connection to the host was lost: \(detail)")
        lost = detail
      } catch {
        outcome = .couldNotCheck(reason: error.message)
      }
    }
    let result = CheckResult(
      host: name ?? transport.hostName, number: number, groups: check.groups, subject: check.subject,
      property: check.property, title: check.title, location: check.location,
      tags: check.tags.sorted(), outcome: outcome, probes: probes, durationMilliseconds: 0, found: found,
      coverage: coverage)
    return (result, lost)
  }

  /// Re-probes (fresh output, no cache) until the check passes or `retry.within` has passed.
  private func retrying(
    _ check: Check, plan: FactPlan, retry: Retry, number: Int, last: CheckResult
  ) async -> CheckResult {
    let started = clock.elapsed
    let deadline = started + retry.within
    var result = last
    while clock.elapsed + retry.every < deadline {
      try? await clock.sleep(for: retry.every)
      var outputs = ProbeOutputs()
      for await arrival in gather(plan.commands, plan.queries) {
        switch arrival {
        case .command(let command, let result): outputs.results[command] = result
        case .query(let query, let result, _): outputs.answers[query] = result
        }
      }
      result = judge(check, plan: .success(plan), outputs: outputs, number: number).result
      result.durationMilliseconds = Double((clock.elapsed - started).milliseconds)
      if result.outcome == .passed { break }
    }
    return result
  }
}

extension FactPlan {
  /// The time of this plan's slowest command (its own run time when the transport measured it,
  /// else when it answered, counted from the host's first probe), or its slowest query's own time
  /// (a DNS check is not 0 s).
  func duration(_ finishedAt: [ProbeCommand: Duration], _ queryTimes: [NetworkQuery: Duration]) -> Double {
    let times = commands.compactMap { finishedAt[$0] } + queries.compactMap { queryTimes[$0] }
    guard let slowest = times.max() else { return 0 }
    // Sub-millisecond answers (a loopback DNS server) still show as time spent.
    return Double(slowest.components.seconds) * 1000 + Double(slowest.components.attoseconds) / 1e15
  }
}

extension CommandOutput {
  /// Standard output as text; bytes that are not UTF-8 become U+FFFD rather than an error.
  var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
  var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

extension Duration {
  var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
