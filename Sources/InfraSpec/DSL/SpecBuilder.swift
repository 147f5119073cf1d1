@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// Collects the statements of a `describe` block into checks.
///
/// One component type (`[Check]`) and no literal overloads keep type checking fast: a block of
/// 100 resource lines type-checks in milliseconds.
@resultBuilder
public enum SpecBuilder {
  /// A resource with no modifier stands for its basic check (`Resource.__whenBare`), at its line.
  public static func buildExpression(
    _ resource: some Resource, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> [Check] {
    resource.__chain.assertions.isEmpty
      ? resource.__whenBare(file: file, line: line, column: column).__chain.checks : resource.__chain.checks
  }
  /// Plain statements (`print(…)`, an assignment) run and add no check.
  public static func buildExpression(_ statement: Void) -> [Check] { [] }
  public static func buildExpression(_ group: Describe) -> [Check] { group.checks }
  public static func buildExpression(_ fleet: Fleet) -> [Check] { fleet.checks }
  public static func buildExpression(_ checks: [Check]) -> [Check] { checks }
  public static func buildBlock(_ parts: [Check]...) -> [Check] { parts.flatMap { $0 } }
  public static func buildOptional(_ part: [Check]?) -> [Check] { part ?? [] }
  public static func buildEither(first: [Check]) -> [Check] { first }
  public static func buildEither(second: [Check]) -> [Check] { second }
  public static func buildArray(_ parts: [[Check]]) -> [Check] { parts.flatMap { $0 } }
  public static func buildLimitedAvailability(_ part: [Check]) -> [Check] { part }
}
