public import InfraSpecCore
public import InfraSpecDNS
public import InfraSpecTransports
public import InfraSpecSSH
public import InfraSpecEdge
public import InfraSpecReporters

/// A kernel parameter, read from `/proc/sys` (what `sysctl -n` prints).
///
///     Sysctl("net.ipv4.ip_forward").value("1")
///     Sysctl("net.core.somaxconn").value(4096)
public struct Sysctl: Resource {
  public var __chain: __ResourceChain
  let key: String

  public init(_ key: String) {
    self.key = key
    __chain = __ResourceChain(subject: "sysctl \(key)") { _ throws(ProbeError) in
      // The key becomes a path under /proc/sys: nothing may climb out of it.
      let parts = key.split(separator: ".", omittingEmptySubsequences: false)
      guard !key.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == ".." || $0.contains("/") }) else {
        throw .other("not a sysctl key: \(TextMatch.show(key))")
      }
      let command = ProbeCommand(["cat", "/proc/sys/" + parts.joined(separator: "/")])
      return FactPlan(commands: [command]) { outputs throws(ProbeError) in
        let output = try outputs.output(command)
        guard output.exitStatus == 0 else {
          if output.stderrText.contains("No such file") { return .absent("no such sysctl") }
          throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
        }
        return .present(output.stdoutText)
      }
    }
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

  public func value(_ expected: Int, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    value(String(expected), file: file, line: line, column: column)
  }

  static func normalize(_ text: String) -> String {
    text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }
}
