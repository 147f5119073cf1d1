@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import FoundationEssentials
internal import Glibc

/// A network interface's link state and addresses.
struct InterfaceFacts: Sendable {
  var name: String
  var flags: [String]
  var mtu: Int
  var mac: String
  /// `address/prefix`, canonical text.
  var addresses: [String]

  /// Administratively up and with a carrier (`lo` has `LOWER_UP` too).
  var isUp: Bool { flags.contains("UP") && flags.contains("LOWER_UP") }

  var state: String {
    !flags.contains("UP") ? "down" : flags.contains("LOWER_UP") ? "up" : "up without carrier"
  }
}

/// All interfaces in one probe: `ip -j addr show` (iproute2) on Debian and RHEL; busybox `ip`
/// has no JSON, so Alpine reads its one-line-per-record `-o` form.
enum InterfaceProbe {
  static let json = ProbeCommand(["ip", "-j", "addr", "show"])
  static let oneLineLinks = ProbeCommand(["ip", "-o", "link", "show"])
  static let oneLineAddresses = ProbeCommand(["ip", "-o", "addr", "show"])

  static func plan(_ name: String) -> FactPlanner {
    { profile throws(ProbeError) in
      if profile.family == .alpine {
        return FactPlan(commands: [oneLineLinks, oneLineAddresses]) { outputs throws(ProbeError) in
          let links = try success(outputs.output(oneLineLinks), oneLineLinks)
          let addresses = try success(outputs.output(oneLineAddresses), oneLineAddresses)
          return find(name, in: try parseOneLine(links: links, addresses: addresses))
        }
      }
      return FactPlan(commands: [json]) { outputs throws(ProbeError) in
        find(name, in: try parseJSON(success(outputs.output(json), json)))
      }
    }
  }

  /// `cat /sys/class/net/NAME/speed`: the kernel knows link speed only for some drivers.
  static func speedPlan(_ name: String) -> FactPlanner {
    { profile throws(ProbeError) in
      guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
        throw .other("not an interface name: \(TextMatch.show(name))")
      }
      let base = try plan(name)(profile)
      let speed = ProbeCommand(["cat", "/sys/class/net/\(name)/speed"])
      return FactPlan(commands: base.commands + [speed]) { outputs throws(ProbeError) in
        guard case .present = try base.read(outputs) else { return .absent("no such interface") }
        let output = try outputs.output(speed)
        guard output.exitStatus == 0, let megabits = Int(output.stdoutText.trimmingWhitespace()), megabits > 0
        else {
          throw .other("the kernel reports no link speed for \(name) (virtual or down interfaces have none)")
        }
        return .present(megabits)
      }
    }
  }

  private static func success(_ output: CommandOutput, _ command: ProbeCommand) throws(ProbeError) -> String {
    guard output.exitStatus == 0 else {
      throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
    }
    return output.stdoutText
  }

  private static func find(_ name: String, in all: [InterfaceFacts]) -> Presence {
    all.first { $0.name == name }.map { .present($0) } ?? .absent("no such interface")
  }

  private struct JSONLink: Decodable {
    struct Address: Decodable {
      var local: String?
      var prefixlen: Int?
    }
    var ifname: String
    var flags: [String]?
    var mtu: Int?
    var address: String?
    var addr_info: [Address]?
  }

  static func parseJSON(_ text: String) throws(ProbeError) -> [InterfaceFacts] {
    let links: [JSONLink]
    do {
      links = try JSONDecoder().decode([JSONLink].self, from: Data(text.utf8))
    } catch {
      throw .unexpectedOutput(command: json.description, detail: "not the JSON iproute2 prints: \(error)")
    }
    return links.map { link in
      InterfaceFacts(
        name: link.ifname, flags: link.flags ?? [], mtu: link.mtu ?? 0, mac: link.address ?? "",
        addresses: (link.addr_info ?? []).compactMap { info in
          guard let local = info.local, let prefix = info.prefixlen else { return nil }
          return canonical(local, prefix)
        })
    }
  }

  /// `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 … link/loopback 00:00:…` and
  /// `1: lo    inet 127.0.0.1/8 scope host lo …`.
  static func parseOneLine(links: String, addresses: String) throws(ProbeError) -> [InterfaceFacts] {
    var result: [InterfaceFacts] = []
    for line in links.split(separator: "\n") {
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\\" })
      guard words.count >= 3 else { continue }
      var name = String(words[1].dropLast())
      if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
      let flags = words[2].trimming(["<", ">"]).split(separator: ",").map(
        String.init)
      let mtu = words.firstIndex(of: "mtu").flatMap { $0 + 1 < words.count ? Int(words[$0 + 1]) : nil } ?? 0
      let mac =
        words.firstIndex { $0.hasPrefix("link/") }.flatMap {
          $0 + 1 < words.count ? String(words[$0 + 1]) : nil
        } ?? ""
      result.append(InterfaceFacts(name: name, flags: flags, mtu: mtu, mac: mac, addresses: []))
    }
    for line in addresses.split(separator: "\n") {
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\\" })
      guard words.count >= 4, ["inet", "inet6"].contains(words[2]) else { continue }
      let parts = words[3].split(separator: "/")
      guard parts.count == 2, let prefix = Int(parts[1]),
        let index = result.firstIndex(where: { $0.name == words[1] })
      else { continue }
      if let address = canonical(String(parts[0]), prefix) { result[index].addresses.append(address) }
    }
    return result
  }

  static func canonical(_ address: String, _ prefix: Int) -> String? {
    IPAddress(address).map { "\($0)/\(prefix)" }
  }
}
