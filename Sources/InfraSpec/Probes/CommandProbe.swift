internal import InfraSpecCore

/// How `Command` is learned: the spec's own argv, run as given; its whole output is the fact.
enum CommandProbe {
  static func planner(_ argv: [String]) -> FactPlanner {
    let command = ProbeCommand(argv)
    return { _ throws(ProbeError) in
      FactPlan(commands: [command]) { outputs throws(ProbeError) in
        .present(try outputs.output(command))
      }
    }
  }

  /// The argv as a POSIX shell would show it, for the check's subject.
  static func shown(_ argv: [String]) -> String { ProbeCommand(argv).description }
}
