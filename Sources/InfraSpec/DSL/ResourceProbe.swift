@_spi(Runner) public import InfraSpecCore

/// How a resource written outside InfraSpec learns its facts: one read-only command (an argv,
/// never shell text), another for the OS families that need it, and a parser of its output.
///
///     ResourceProbe(["cat", "/proc/sys/kernel/ostype"]) { output in output.stdoutLine }
public struct ResourceProbe<Facts: Sendable>: Sendable {
  let argv: [String]
  let argvByFamily: [HostProfile.Family: [String]]
  let parse: @Sendable (CommandOutput) throws(ProbeError) -> Facts?

  /// Runs `argv` (or the family's own argv from `families`) and reads its output with `parse`,
  /// which returns nil when the thing is not on the host and throws when the output makes no sense.
  public init(
    _ argv: [String], families: [HostProfile.Family: [String]] = [:],
    parse: @escaping @Sendable (CommandOutput) throws(ProbeError) -> Facts?
  ) {
    self.argv = argv
    self.argvByFamily = families
    self.parse = parse
  }

  /// The plan the runner schedules: the command for the host's family, its output parsed.
  var planner: FactPlanner {
    { profile throws(ProbeError) in
      let command = ProbeCommand(argvByFamily[profile.family] ?? argv)
      return FactPlan(commands: [command]) { outputs throws(ProbeError) in
        guard let facts = try parse(try outputs.output(command)) else { return .absent("not found") }
        return .present(facts)
      }
    }
  }
}

extension __ResourceChain {
  /// The chain of a resource that `probe` learns about; `subject` names it in every report.
  public init<Facts: Sendable>(_ subject: String, probe: ResourceProbe<Facts>) {
    self.init(subject: subject, plan: probe.planner, names: probe.argv)
  }
}

extension Resource {
  /// Appends one check that `judge` decides from the resource's facts; `file`, `line` and
  /// `column` are the spec statement's, which the modifier receives as defaulted arguments.
  ///
  /// They have no defaults here on purpose: a default would name this helper's caller, the
  /// modifier, instead of the spec line that a failure must point at.
  public func expect<Facts: Sendable>(
    _ property: String, _ expected: String, file: String, line: Int, column: Int,
    judge: @escaping @Sendable (Facts) -> Outcome
  ) -> Self {
    adding(property, expected: expected, file: file, line: line, column: column) { (facts: Facts) in
      switch judge(facts) {
      case .passed: .pass
      case .failed(let expected, let actual): .fail(expected: expected, actual: actual)
      case .couldNotCheck(let reason): .cannotCheck(reason)
      case .skipped(let reason): .skip(reason)
      }
    }
  }
}

extension CommandOutput {
  /// The first line of standard output, or nil when the command failed or printed nothing.
  public var stdoutLine: String? {
    guard exitStatus == 0 else { return nil }
    return String(decoding: stdout, as: UTF8.self).split(separator: "\n").first.map(String.init)
  }
}
