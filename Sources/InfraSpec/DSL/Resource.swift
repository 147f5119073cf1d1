@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A thing on a host that assertions are chained onto, e.g. `File("/etc/hosts")`.
///
/// Every modifier appends one assertion and returns a copy, so one line states several facts:
/// `Interface("eth0").isUp().mtu(9000)` is two checks.
public protocol Resource: Sendable {
  /// The resource's subject, probes and assertions so far; a resource of your own stores
  /// `__ResourceChain(_:probe:)` here and never reads it.
  var __chain: __ResourceChain { get set }

  /// The check a resource written with no modifier stands for (`File("/etc/motd")` alone):
  /// that it exists, unless the resource says otherwise (a command exits 0, a process runs).
  func __whenBare(file: String, line: Int, column: Int) -> Self
}

extension Resource {
  /// Adds tags to every check of this resource, for `--tag` / `--skip-tag`.
  ///
  ///     Service("nginx").isRunning().tagged("web", "slow")
  public func tagged(_ tags: String...) -> Self {
    var copy = self
    copy.__chain.tags.formUnion(tags)
    SpecRegistry.shared.track(copy.__chain)
    return copy
  }

  /// Exists: a probe of the resource finds it (`File`: the path, `Package`: installed).
  public func __whenBare(file: String, line: Int, column: Int) -> Self {
    addingExistence("exists", wanted: true, expected: "to exist", file: file, line: line, column: column)
  }

  /// Retries this resource's checks until they pass or `within` runs out, for state that converges.
  ///
  ///     Port(8080).isListening().eventually(within: .seconds(30))
  public func eventually(within: Duration = .seconds(30), every: Duration = .seconds(1)) -> Self {
    var copy = self
    copy.__chain.retry = Retry(within: within, every: every)
    SpecRegistry.shared.track(copy.__chain)
    return copy
  }

  /// Appends an assertion on the resource's facts.
  func adding<Facts: Sendable>(
    _ property: String, expected: String, title: String? = nil,
    file: String, line: Int, column: Int, plan: FactPlanner? = nil,
    judge: @escaping @Sendable (Facts) -> Verdict
  ) -> Self {
    var copy = self
    copy.__chain.assertions.append(
      Assertion(
        property: property, expected: expected, title: title ?? "\(property) \(expected)",
        location: SourceLocation(file: file, line: line, column: column),
        kind: .property { facts in
          guard let typed = facts as? Facts else {
            return .cannotCheck("internal: facts of \(type(of: facts)), wanted \(Facts.self)")
          }
          return judge(typed)
        },
        plan: plan))
    SpecRegistry.shared.track(copy.__chain)
    return copy
  }

  /// Appends an assertion that no host can pass as written (`version(">= 1.2")`): it probes
  /// nothing and reports "could not check" with `message`, which says what to write instead.
  func addingMistake(
    _ property: String, expected: String, title: String, message: String, file: String, line: Int,
    column: Int
  ) -> Self {
    var copy = self
    copy.__chain.assertions.append(
      Assertion(
        property: property, expected: expected, title: title,
        location: SourceLocation(file: file, line: line, column: column),
        kind: .mistake("spec mistake: " + message), plan: nil))
    SpecRegistry.shared.track(copy.__chain)
    return copy
  }

  /// Appends an assertion that the resource exists (`wanted: true`) or does not.
  func addingExistence(
    _ title: String, wanted: Bool, expected: String, file: String, line: Int, column: Int,
    describePresent: @escaping @Sendable (any Sendable) -> String = { _ in "present" }
  ) -> Self {
    var copy = self
    copy.__chain.assertions.append(
      Assertion(
        property: title, expected: expected, title: title,
        location: SourceLocation(file: file, line: line, column: column),
        kind: .existence(wanted: wanted, describePresent: describePresent), plan: nil))
    SpecRegistry.shared.track(copy.__chain)
    return copy
  }
}

/// Compares an expected and an actual value in the one failure grammar.
func expectEqual<Value: Equatable & CustomStringConvertible>(_ expected: Value, _ actual: Value) -> Verdict {
  expected == actual
    ? .passed(found: actual.description) : .fail(expected: expected.description, actual: actual.description)
}
