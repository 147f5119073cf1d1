@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// The commands (and network queries) a resource needs on a host, and how to read their output
/// into facts.
struct FactPlan: Sendable {
  var commands: [ProbeCommand]
  var queries: [NetworkQuery] = []
  var read: @Sendable (ProbeOutputs) throws(ProbeError) -> Presence

  init(
    commands: [ProbeCommand], queries: [NetworkQuery] = [],
    read: @escaping @Sendable (ProbeOutputs) throws(ProbeError) -> Presence
  ) {
    self.commands = commands
    self.queries = queries
    self.read = read
  }
}

/// A fact learned by talking to a service rather than running a command (a DNS query); asked
/// once per host however many checks need it, like a probe command.
struct NetworkQuery: Sendable, Hashable, CustomStringConvertible {
  /// Identifies the query for de-duplication and names it in reports (`dig`-like).
  let description: String
  let ask: @Sendable (any Transport) async -> Result<any Sendable, ProbeError>

  static func == (left: NetworkQuery, right: NetworkQuery) -> Bool { left.description == right.description }
  func hash(into hasher: inout Hasher) { hasher.combine(description) }
}

/// Chooses the commands for a host's OS family; throws when the family has no way to answer.
typealias FactPlanner = @Sendable (HostProfile) throws(ProbeError) -> FactPlan

/// Outputs of the commands a host has run so far, by command.
struct ProbeOutputs: Sendable {
  var results: [ProbeCommand: Result<CommandOutput, ProbeError>] = [:]
  var answers: [NetworkQuery: Result<any Sendable, ProbeError>] = [:]

  /// The answer to `query`; a failed query propagates as "could not check".
  func answer(_ query: NetworkQuery) throws(ProbeError) -> any Sendable {
    guard let result = answers[query] else { throw .other("internal: no answer for \(query)") }
    return try result.get()
  }

  /// Whether every command and query of `plan` has answered.
  func isComplete(_ plan: FactPlan) -> Bool {
    plan.commands.allSatisfy { results[$0] != nil } && plan.queries.allSatisfy { answers[$0] != nil }
  }

  /// The output of `command`; a probe error propagates as "could not check".
  func output(_ command: ProbeCommand) throws(ProbeError) -> CommandOutput {
    guard let result = results[command] else {
      throw .other("internal: no result for \(command)")
    }
    return try result.get()
  }
}
