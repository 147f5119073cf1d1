@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// An assertion across all hosts of a run: one value compared on every host, hosts named on failure.
///
///     describe("rack 12", hosts: "hypervisors") {
///       Fleet(Interface("eth0").macAddress).isUniquePerHost()
///       Fleet(File("/etc/pop/service.key").sha256Digest).isUniquePerHost()
///       Fleet(Package("nginx").installedVersion).isSameOnEveryHost()
///     }
public struct Fleet: Sendable {
  let fact: Fact
  /// The checks this fleet assertion adds; public so the spec builder can collect them.
  public private(set) var checks: [Check] = []

  /// Compares `fact` (`Interface("eth0").macAddress`, `Package("nginx").installedVersion`) across hosts.
  public init(_ fact: Fact) {
    self.fact = fact
  }

  /// No two hosts share the value (a duplicated MAC, one secret copied to every PoP).
  public func isUniquePerHost(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding(.unique, title: "is unique per host", file: file, line: line, column: column)
  }

  /// Every host has the same value (SOA serial, config checksum, package version).
  public func isSameOnEveryHost(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding(.same, title: "is the same on every host", file: file, line: line, column: column)
  }

  private func adding(_ mode: FleetRule.Mode, title: String, file: String, line: Int, column: Int) -> Self {
    var copy = self
    copy.checks.append(
      Check(
        groups: [], subject: fact.subject, property: title, title: title,
        location: SourceLocation(file: file, line: line, column: column), tags: [], retry: nil,
        plan: fact.plan,
        judge: { _ in .pass }, fleetRule: FleetRule(mode: mode, value: fact.value)))
    return copy
  }
}
