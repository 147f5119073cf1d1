@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A network interface: link state, MTU, MAC and addresses.
///
///     Interface("eth0").isUp().mtu(9000).hasAddress("192.0.2.10/24")
///     Interface("bond0").mac("02:00:00:00:00:01").speed(25000)
public struct Interface: Resource {
  public var __chain: __ResourceChain
  let name: String

  /// A network interface, by name (`eth0`, `lo`).
  public init(_ name: String) {
    self.name = name
    __chain = __ResourceChain(subject: "interface \(name)", plan: InterfaceProbe.plan(name))
  }

  /// The interface exists.
  ///
  ///     Interface("eth0").exists()
  public func exists(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("exists", wanted: true, expected: "to exist", file: file, line: line, column: column)
  }

  /// Administratively up and with a carrier.
  public func isUp(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("state", expected: "up", title: "is up", file: file, line: line, column: column) {
      (facts: InterfaceFacts) in
      expectEqual("up", facts.state)
    }
  }

  /// Administratively down, or up without a carrier.
  ///
  ///     Interface("eth1").isDown()
  ///
  /// Fails with `interface eth1: state: expected down, got up`.
  public func isDown(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("state", expected: "down", title: "is down", file: file, line: line, column: column) {
      (facts: InterfaceFacts) in
      expectEqual("down", facts.state)
    }
  }

  /// The MTU in bytes.
  ///
  ///     Interface("eth0").mtu(9000)
  ///
  /// Fails with `interface eth0: mtu: expected 9000, got 1500`.
  public func mtu(_ mtu: Int, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("mtu", expected: "\(mtu)", file: file, line: line, column: column) { (facts: InterfaceFacts) in
      expectEqual(mtu, facts.mtu)
    }
  }

  /// The hardware address, compared case-insensitively.
  public func mac(_ mac: String, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    let wanted = mac.lowercased()
    return adding("mac", expected: wanted, file: file, line: line, column: column) {
      (facts: InterfaceFacts) in
      expectEqual(wanted, facts.mac.lowercased())
    }
  }

  /// Carries this address with this prefix length: `hasAddress("2001:db8::10/64")`.
  public func hasAddress(_ cidr: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let parts = cidr.split(separator: "/")
    let wanted =
      parts.count == 2 ? Int(parts[1]).flatMap { InterfaceProbe.canonical(String(parts[0]), $0) } : nil
    return adding(
      "addresses", expected: "to include \(cidr)", title: "has address \(cidr)", file: file, line: line,
      column: column
    ) {
      (facts: InterfaceFacts) in
      guard let wanted else {
        return .cannotCheck("not an address with prefix length: \(cidr) (write 192.0.2.10/24)")
      }
      return facts.addresses.contains(wanted)
        ? .pass
        : .fail(
          expected: "to include \(cidr)",
          actual: facts.addresses.isEmpty ? "no addresses" : facts.addresses.joined(separator: ", "))
    }
  }

  /// Link speed in Mb/s, where the kernel reports one (physical NICs; not veth, not loopback).
  public func speed(_ megabits: Int, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "speed", expected: "\(megabits) Mb/s", file: file, line: line, column: column,
      plan: InterfaceProbe.speedPlan(name)
    ) {
      (actual: Int) in expectEqual("\(megabits) Mb/s", "\(actual) Mb/s")
    }
  }
}
