@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// The state behind a resource value: what it is, how to probe it, what is asserted about it.
///
/// Public so `Resource` can require it. A spec file never touches it; a resource written in
/// `Support/` makes one with `init(_:probe:)` (see "Writing your own resource").
public struct __ResourceChain: Sendable {
  let subject: String
  let plan: FactPlanner
  var assertions: [Assertion] = []
  var tags: Set<String> = []
  var retry: Retry?
  /// Set when the resource itself is written wrong (a NUL byte in its name): every check of it
  /// then reports this once, before anything is sent to a host, the same on every transport.
  let mistake: String?

  init(subject: String, plan: @escaping FactPlanner, names: [String] = []) {
    let hasNUL =
      subject.unicodeScalars.contains("\u{0}") || names.contains { $0.unicodeScalars.contains("\u{0}") }
    // A raw NUL must not reach a report either: show it the way Swift writes it.
    var shown = ""
    for scalar in subject.unicodeScalars {
      if scalar == "\u{0}" { shown += "\\0" } else { shown.unicodeScalars.append(scalar) }
    }
    self.subject = shown
    self.plan = plan
    mistake =
      hasNUL
      ? "spec mistake: the name contains a NUL byte (\\0), which no file, user, package or command "
        + "name on a host can hold; remove it"
      : nil
  }

  /// One check per assertion. When the resource is missing, a property check fails with what is
  /// missing, unless the chain also asserts existence: then that one failure says it, and the
  /// property checks are skipped rather than failing again for the same reason.
  var checks: [Check] {
    if let mistake { return mistakenChecks(mistake) }
    let assertsExistence = assertions.contains { $0.isExistence }
    let subject = self.subject
    return assertions.map { assertion in
      let judge: @Sendable (Presence) -> Verdict =
        switch assertion.kind {
        case .existence(let wanted, let describePresent):
          { presence in
            switch (presence, wanted) {
            case (.present(let facts), true): .passed(found: describePresent(facts))
            case (.absent, false): .pass
            case (.absent(let why), true): .fail(expected: assertion.expected, actual: why)
            case (.present(let facts), false):
              .fail(expected: assertion.expected, actual: describePresent(facts))
            }
          }
        case .property(let judgeFacts):
          { presence in
            switch presence {
            case .present(let facts): judgeFacts(facts)
            case .absent(let why) where assertsExistence: .skip("\(subject): \(why)")
            case .absent(let why): .fail(expected: assertion.expected, actual: why)
            }
          }
        case .mistake(let message):
          { _ in .cannotCheck(message) }
        }
      return Check(
        groups: [], subject: subject, property: assertion.property, title: assertion.title,
        location: assertion.location, tags: tags, retry: retry,
        plan: Self.refusingNUL(assertion.isMistake ? Self.nothing : assertion.plan ?? plan), judge: judge,
        origin: assertion.id)
    }
  }

  /// The first check says what is wrong; the others are skipped with a pointer to it.
  private func mistakenChecks(_ mistake: String) -> [Check] {
    let subject = self.subject
    return assertions.enumerated().map { index, assertion in
      Check(
        groups: [], subject: subject, property: assertion.property, title: assertion.title,
        location: assertion.location, tags: tags, retry: nil, plan: Self.nothing,
        judge: { _ in
          index == 0 ? .cannotCheck(mistake) : .skip("\(subject): the spec mistake reported above")
        },
        origin: assertion.id)
    }
  }

  /// A plan that asks the host nothing, for checks decided by the spec alone.
  static let nothing: FactPlanner = { _ throws(ProbeError) in
    FactPlan(commands: []) { _ throws(ProbeError) in .absent("") }
  }

  /// No argv with a NUL byte reaches a transport: locally it would cut the argument short, over
  /// SSH it is dropped, and a spawn refuses it. Catches names a resource did not declare.
  static func refusingNUL(_ plan: @escaping FactPlanner) -> FactPlanner {
    { profile throws(ProbeError) in
      let made = try plan(profile)
      for command in made.commands where command.argv.contains(where: { $0.unicodeScalars.contains("\u{0}") })
      {
        throw .other(
          "spec mistake: an argument of \(command.argv.first ?? "a probe") contains a NUL byte (\\0), "
            + "which no command line can carry; remove it")
      }
      return made
    }
  }
}

/// One modifier's assertion, before it becomes a `Check`.
struct Assertion: Sendable {
  enum Kind: Sendable {
    case existence(wanted: Bool, describePresent: @Sendable (any Sendable) -> String)
    case property(@Sendable (any Sendable) -> Verdict)
    /// Written so that no host could pass it as meant (`version(">= 1.2")`): says why, probes nothing.
    case mistake(String)
  }

  let property: String
  let expected: String
  let title: String
  let location: SourceLocation
  let kind: Kind
  /// Probes of its own, when the assertion needs more than the resource's (a file's content).
  var plan: FactPlanner?
  /// Identifies the assertion through copies of its resource, so one never placed in a
  /// `describe` can be found (`SpecRegistry`).
  let id: Int = SpecRegistry.shared.newAssertionID()

  var isExistence: Bool {
    if case .existence = kind { true } else { false }
  }

  var isMistake: Bool {
    if case .mistake = kind { true } else { false }
  }
}
