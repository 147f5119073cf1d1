/// The state behind a resource value: what it is, how to probe it, what is asserted about it.
///
/// Public so `Resource` can require it; spec authors never touch it.
public struct __ResourceChain: Sendable {
  let subject: String
  let plan: FactPlanner
  var assertions: [Assertion] = []
  var tags: Set<String> = []
  var retry: Retry?

  init(subject: String, plan: @escaping FactPlanner) {
    self.subject = subject
    self.plan = plan
  }

  /// One check per assertion. When the resource is missing, a property check fails with what is
  /// missing, unless the chain also asserts existence: then that one failure says it, and the
  /// property checks are skipped rather than failing again for the same reason.
  var checks: [Check] {
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
        }
      return Check(
        groups: [], subject: subject, property: assertion.property, title: assertion.title,
        location: assertion.location, tags: tags, retry: retry, plan: assertion.plan ?? plan,
        judge: judge)
    }
  }
}

/// One modifier's assertion, before it becomes a `Check`.
struct Assertion: Sendable {
  enum Kind: Sendable {
    case existence(wanted: Bool, describePresent: @Sendable (any Sendable) -> String)
    case property(@Sendable (any Sendable) -> Verdict)
  }

  let property: String
  let expected: String
  let title: String
  let location: SourceLocation
  let kind: Kind
  /// Probes of its own, when the assertion needs more than the resource's (a file's content).
  var plan: FactPlanner?

  var isExistence: Bool {
    if case .existence = kind { true } else { false }
  }
}
