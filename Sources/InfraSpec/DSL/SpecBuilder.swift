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
  /// A nested `describe` adds its checks.
  public static func buildExpression(_ group: Describe) -> [Check] { group.checks }
  /// A `Fleet` assertion adds its checks.
  public static func buildExpression(_ fleet: Fleet) -> [Check] { fleet.checks }
  /// A resource with its modifiers, or a helper's array of checks.
  public static func buildExpression(_ checks: [Check]) -> [Check] { checks }
  /// The statements of a `describe` body, in order.
  public static func buildBlock(_ parts: [Check]...) -> [Check] { parts.flatMap { $0 } }
  /// An `if` without `else`: its checks when the condition holds.
  public static func buildOptional(_ part: [Check]?) -> [Check] { part ?? [] }
  /// The `if` branch of an `if`/`else` or the first case of a `switch`.
  public static func buildEither(first: [Check]) -> [Check] { first }
  /// The `else` branch of an `if`/`else` or a later case of a `switch`.
  public static func buildEither(second: [Check]) -> [Check] { second }
  /// A `for` loop: the checks of every iteration.
  public static func buildArray(_ parts: [[Check]]) -> [Check] { parts.flatMap { $0 } }
  /// An `if #available` branch.
  public static func buildLimitedAvailability(_ part: [Check]) -> [Check] { part }
}
