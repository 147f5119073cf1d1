@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A kernel parameter, read from `/proc/sys` (what `sysctl -n` prints).
///
///     Sysctl("net.ipv4.ip_forward").value("1")
///     Sysctl("net.core.somaxconn").value(4096)
public struct Sysctl: Resource {
  public var __chain: __ResourceChain
  let key: String

  /// A kernel parameter, by its dotted name (`net.ipv4.ip_forward`).
  public init(_ key: String) {
    self.key = key
    __chain = __ResourceChain(subject: "sysctl \(key)", plan: SysctlProbe.planner(key: key))
  }

  /// The value, with runs of whitespace (tabs in `ip_local_port_range`) read as one space.
  public func value(_ expected: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let wanted = Self.normalize(expected)
    return adding("value", expected: wanted, file: file, line: line, column: column) { (raw: String) in
      expectEqual(wanted, Self.normalize(raw))
    }
  }

  /// The parameter's value is the integer `expected`.
  ///
  ///     Sysctl("net.ipv4.ip_forward").value(0)
  ///
  /// Fails with `sysctl net.ipv4.ip_forward: value: expected 0, got 1`.
  public func value(_ expected: Int, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    value(String(expected), file: file, line: line, column: column)
  }

  static func normalize(_ text: String) -> String {
    text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }
}
