@_spi(Runner) public import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// One assertion about one host: one TAP test point.
///
/// Built by the DSL (`Interface("eth0").mtu(9000)` makes one); carries how to learn the facts it
/// needs (probes) and how to judge them, and the spec line that wrote it.
public struct Check: Sendable {
  /// The `describe` titles around the check, outermost first.
  public internal(set) var groups: [String]
  /// What is checked, e.g. `interface eth0`.
  public let subject: String
  /// What about it, e.g. `mtu`.
  public let property: String
  /// The property with its expected value, e.g. `mtu 9000`, as test names show it.
  public let title: String
  /// The spec statement that made the check.
  public let location: SourceLocation
  /// Tags from the resource and every enclosing `describe`.
  public internal(set) var tags: Set<String>
  /// Re-evaluate until it passes or `within` runs out (`eventually(within:every:)`).
  public internal(set) var retry: Retry?
  /// Inventory groups the check applies to (`describe(…, hosts: "pops")`); empty: every host.
  public internal(set) var hostGroups: Set<String> = []
  /// Where each enclosing `describe` starts, outermost first: `file:line` selects a whole block.
  var blocks: [SourceLocation] = []

  let plan: FactPlanner
  let judge: @Sendable (Presence) -> Verdict
  /// Set for a fleet assertion: judged once across all hosts, not on each host.
  var fleetRule: FleetRule? = nil
  /// The DSL assertion the check came from, to find assertions never placed in a `describe`.
  var origin: Int? = nil

  /// Whether a host in `groups` (an inventory host's groups, always including `all`) gets this check.
  func applies(toHostIn groups: Set<String>) -> Bool {
    hostGroups.isEmpty || !hostGroups.isDisjoint(with: groups)
  }

  /// The full test name: describe titles, subject and property.
  public var name: String { (groups + ["\(subject): \(title)"]).joined(separator: " › ") }
}

/// How long and how often a converging check is retried.
public struct Retry: Sendable, Hashable, Codable {
  /// How long the check keeps being retried before its last verdict counts.
  public var within: Duration
  /// The pause between two tries.
  public var every: Duration
}
