@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import FoundationEssentials
internal import Glibc

/// One route of the main table: destination (`default` or canonical `prefix/len`), gateway, device.
struct RouteEntry: Sendable, Hashable {
  var destination: String
  var gateway: String?
  var device: String?

  var description: String {
    [destination, gateway.map { "via \($0)" }, device.map { "dev \($0)" }].compactMap { $0 }.joined(
      separator: " ")
  }
}

/// IPv4 and IPv6 main tables: `ip -j route show` on Debian and RHEL, busybox text on Alpine.
enum RouteProbe {
  static let plan: FactPlanner = { profile throws(ProbeError) in
    let json = profile.family != .alpine
    let commands = [
      ProbeCommand(["ip"] + (json ? ["-j"] : []) + ["-4", "route", "show"]),
      ProbeCommand(["ip"] + (json ? ["-j"] : []) + ["-6", "route", "show"]),
    ]
    return FactPlan(commands: commands) { outputs throws(ProbeError) in
      var routes: [RouteEntry] = []
      for command in commands {
        let output = try outputs.output(command)
        guard output.exitStatus == 0 else {
          // No IPv6 in the kernel: no IPv6 routes, not an error.
          if command.argv.contains("-6") { continue }
          throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
        }
        routes += json ? try parseJSON(output.stdoutText, command) : parseText(output.stdoutText)
      }
      return .present(routes)
    }
  }

  private struct JSONRoute: Decodable {
    var dst: String
    var gateway: String?
    var dev: String?
  }

  static func parseJSON(_ text: String, _ command: ProbeCommand) throws(ProbeError) -> [RouteEntry] {
    do {
      return try JSONDecoder().decode([JSONRoute].self, from: Data(text.utf8)).map {
        RouteEntry(
          destination: canonicalDestination($0.dst),
          gateway: $0.gateway.flatMap { IPAddress($0)?.description }, device: $0.dev)
      }
    } catch {
      throw .unexpectedOutput(command: command.description, detail: "not the JSON iproute2 prints: \(error)")
    }
  }

  /// `default via 192.0.2.1 dev eth0` / `192.0.2.0/24 dev eth0 scope link src 192.0.2.2`.
  static func parseText(_ text: String) -> [RouteEntry] {
    text.split(separator: "\n").compactMap { line in
      let words = line.split(separator: " ").map(String.init)
      guard let first = words.first else { return nil }
      func after(_ key: String) -> String? {
        words.firstIndex(of: key).flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
      }
      return RouteEntry(
        destination: canonicalDestination(first),
        gateway: after("via").flatMap { IPAddress($0)?.description }, device: after("dev"))
    }
  }

  /// `default`, or `address/len` with the address canonical and a host route given its length.
  static func canonicalDestination(_ text: String) -> String {
    if text == "default" { return text }
    let parts = text.split(separator: "/")
    guard let address = IPAddress(String(parts[0])) else { return text }
    let length = parts.count == 2 ? String(parts[1]) : (address.isIPv4 ? "32" : "128")
    return "\(address)/\(length)"
  }
}
