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
  _ title: String, tags: String..., hosts: String..., @SpecBuilder body: () -> [Check]
) -> Describe {
  SpecRegistry.shared.enter()
  let inner = body()
  let isTopLevel = SpecRegistry.shared.leave()
  let checks = inner.map { check in
    var check = check
    check.groups.insert(title, at: 0)
    check.tags.formUnion(tags)
    // Nested restrictions narrow: an inner `hosts:` wins over an outer one.
    if check.hostGroups.isEmpty { check.hostGroups = Set(hosts) }
    return check
  }
  if isTopLevel { SpecRegistry.shared.add(checks) }
  return Describe(checks: checks)
}

/// The checks of every top-level `describe` evaluated so far, in spec order.
///
/// `describe` cannot tell from its arguments whether it is nested, so the registry counts how
/// deep the builder closures are; spec files are evaluated on one thread, one after another.
final class SpecRegistry: Sendable {
  static let shared = SpecRegistry()

  private struct State {
    var depth = 0
    var checks: [Check] = []
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

  var checks: [Check] { state.withLock { $0.checks } }
}
