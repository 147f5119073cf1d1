@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import Synchronization

/// A titled group of checks; groups nest, and top-level groups make up the spec.
public struct Describe: Sendable {
  /// The checks of this group and of the groups inside it.
  public let checks: [Check]
}

/// Groups checks under a title, with tags and the inventory groups they apply to (none: every
/// host); a top-level `describe` adds its checks to the spec.
///
///     describe("edge PoP", tags: "pop", hosts: "pops") {
///       Interface("eth0").isUp().mtu(9000)
///     }
@discardableResult
public func describe(
  _ title: String, tags: String..., hosts: String..., file: String = #filePath, line: Int = #line,
  @SpecBuilder body: () -> [Check]
) -> Describe {
  SpecRegistry.shared.enter()
  let inner = body()
  let isTopLevel = SpecRegistry.shared.leave()
  let checks = inner.map { check in
    var check = check
    check.groups.insert(title, at: 0)
    // `infraspec run Specs/x.swift:12` selects the describe that starts on line 12.
    check.blocks.insert(SourceLocation(file: file, line: line, column: 0), at: 0)
    check.tags.formUnion(tags)
    // Nested restrictions narrow: an inner `hosts:` wins over an outer one.
    if check.hostGroups.isEmpty { check.hostGroups = Set(hosts) }
    return check
  }
  if isTopLevel { SpecRegistry.shared.add(checks) }
  return Describe(checks: checks)
}

/// The checks of every top-level `describe` evaluated so far, in spec order, and every
/// assertion the DSL made, so none is dropped without a word.
///
/// `describe` cannot tell from its arguments whether it is nested, so the registry counts how
/// deep the builder closures are; spec files are evaluated on one thread, one after another.
///
/// An assertion that never reaches a top-level `describe` is not lost: one written outside any
/// `describe` (top-level code) runs as a check of no group; one made inside a `describe` but
/// not written as a statement of it (`let c = File(…).exists()`, never used) is a spec mistake,
/// reported as "could not check" at its line.
final class SpecRegistry: Sendable {
  static let shared = SpecRegistry()

  private struct State {
    var depth = 0
    var checks: [Check] = []
    /// Per assertion id: whether it was made inside a `describe` body.
    var madeInside: [Bool] = []
    /// Per assertion id: the latest resource chain holding it (tags and later modifiers count).
    var chains: [Int: __ResourceChain] = [:]
  }
  private let state = Mutex(State())

  func enter() { state.withLock { $0.depth += 1 } }

  /// Returns whether the group that just finished was at the top level.
  func leave() -> Bool {
    state.withLock {
      $0.depth -= 1
      return $0.depth == 0
    }
  }

  func add(_ checks: [Check]) { state.withLock { $0.checks += checks } }

  func newAssertionID() -> Int {
    state.withLock {
      $0.madeInside.append($0.depth > 0)
      return $0.madeInside.count - 1
    }
  }

  /// Records `chain` as the latest state of each of its assertions.
  func track(_ chain: __ResourceChain) {
    state.withLock { state in
      for assertion in chain.assertions { state.chains[assertion.id] = chain }
    }
  }

  /// The placed checks, then those of assertions no top-level `describe` took (see above).
  var checks: [Check] {
    state.withLock { state in
      let placed = Set(state.checks.compactMap(\.origin))
      var result = state.checks
      for id in state.chains.keys.sorted() where !placed.contains(id) {
        guard let check = state.chains[id]?.checks.first(where: { $0.origin == id }) else { continue }
        result.append(state.madeInside[id] ? Self.unplaced(check) : check)
      }
      return result
    }
  }

  private static func unplaced(_ check: Check) -> Check {
    Check(
      groups: [], subject: check.subject, property: check.property, title: check.title,
      location: check.location, tags: check.tags, retry: nil, plan: __ResourceChain.nothing,
      judge: { _ in
        .cannotCheck(
          "spec mistake: this check was made inside a describe but is not a statement of it (a value "
            + "kept in a `let` and never written on a line of its own?); write it as a statement")
      }, origin: check.origin)
  }
}
