/// The commands a resource needs on a host, and how to read their output into facts.
struct FactPlan: Sendable {
  var commands: [ProbeCommand]
  var read: @Sendable (ProbeOutputs) throws(ProbeError) -> Presence
}

/// Chooses the commands for a host's OS family; throws when the family has no way to answer.
typealias FactPlanner = @Sendable (HostProfile) throws(ProbeError) -> FactPlan

/// Outputs of the commands a host has run so far, by command.
struct ProbeOutputs: Sendable {
  var results: [ProbeCommand: Result<CommandOutput, ProbeError>] = [:]

  /// The output of `command`; a probe error propagates as "could not check".
  func output(_ command: ProbeCommand) throws(ProbeError) -> CommandOutput {
    guard let result = results[command] else {
      throw .other("internal: no result for \(command)")
    }
    return try result.get()
  }
}
