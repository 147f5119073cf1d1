/// One host's value for one fleet assertion, kept in the JSON report so `infraspec report merge`
/// can judge the assertion over every shard's hosts, not just one shard's.
@_spi(Runner)
public struct FleetValue: Sendable, Codable, Equatable {
  /// The assertion: its spec location, the same in every shard.
  public var check: String
  /// `unique` or `same`.
  public var rule: String
  /// The host's value, or why it has none.
  public var value: String?
  /// Why the host has no value (the probe failed), shown instead of one.
  public var problem: String?

  package init(check: String, rule: String, value: String? = nil, problem: String? = nil) {
    self.check = check
    self.rule = rule
    self.value = value
    self.problem = problem
  }

  /// `Specs/pop.swift:30:56`: identifies a fleet assertion across the reports of one spec.
  package static func id(_ location: SourceLocation) -> String { "\(location)" }
}
