@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge

/// Learns facts of one host through the same plans the resources use, many at a time: the
/// commands of all plans are de-duplicated and sent in one batch, as a run does.
struct FactGatherer: Sendable {
  let transport: any Transport
  let profile: HostProfile
  let options: RunOptions

  /// Each plan's reading of the host, in the order given.
  func presences(_ planners: [FactPlanner]) async -> [Result<Presence, ProbeError>] {
    let plans = planners.map { planner in Result { () throws(ProbeError) in try planner(profile) } }
    var commands: [ProbeCommand] = []
    var queries: [NetworkQuery] = []
    var seen: Set<ProbeCommand> = []
    var seenQueries: Set<NetworkQuery> = []
    for case .success(let plan) in plans {
      for command in plan.commands where seen.insert(command).inserted { commands.append(command) }
      for query in plan.queries where seenQueries.insert(query).inserted { queries.append(query) }
    }
    var outputs = ProbeOutputs()
    let runner = HostRunner(transport: transport, checks: [], options: options)
    for await arrival in runner.gather(commands, queries) {
      switch arrival {
      case .command(let command, let result): outputs.results[command] = result
      case .query(let query, let result, _): outputs.answers[query] = result
      }
    }
    for command in commands where outputs.results[command] == nil {
      outputs.results[command] = .failure(.connection("no answer from \(transport.hostName) for \(command)"))
    }
    return plans.map { plan in Result { () throws(ProbeError) in try plan.get().read(outputs) } }
  }

  /// One plan's facts: nil when the thing is absent.
  func facts<Facts>(_ planner: @escaping FactPlanner, as _: Facts.Type) async throws(ProbeError) -> Facts? {
    switch try await presences([planner])[0].get() {
    case .present(let facts as Facts): return facts
    case .present: throw .other("internal: unexpected facts from a probe")
    case .absent: return nil
    }
  }

  /// Several plans' facts by key; absent ones are left out, errors are kept per key.
  func facts<Facts>(_ planners: [(key: String, plan: FactPlanner)], as _: Facts.Type) async -> [(
    key: String, facts: Result<Facts?, ProbeError>
  )] {
    let results = await presences(planners.map(\.plan))
    return zip(planners, results).map { planner, result in
      let facts = Result { () throws(ProbeError) -> Facts? in
        switch try result.get() {
        case .present(let facts as Facts): return facts
        case .present: throw .other("internal: unexpected facts from a probe")
        case .absent: return nil
        }
      }
      return (planner.key, facts)
    }
  }

  /// The output of one listing command (a command only capture asks: which users, which files).
  func output(_ command: ProbeCommand) async throws(ProbeError) -> CommandOutput {
    let plan: FactPlanner = { _ throws(ProbeError) in
      FactPlan(commands: [command]) { outputs throws(ProbeError) in .present(try outputs.output(command)) }
    }
    guard let output = try await facts(plan, as: CommandOutput.self) else {
      throw .other("internal: no output for \(command)")
    }
    return output
  }
}
