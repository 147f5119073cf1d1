@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A listening socket from the kernel's own tables.
struct Listener: Sendable, Hashable {
  var proto: Port.TransportProtocol
  var address: String
  var port: Int
}

/// Reads `/proc/net/{tcp,tcp6,udp,udp6}` rather than `ss` or `netstat`: the same on every family,
/// no tool to be missing, and structured (hex address, port, state).
enum SocketProbe {
  static let tables: [(path: String, proto: Port.TransportProtocol)] = [
    ("/proc/net/tcp", .tcp), ("/proc/net/tcp6", .tcp), ("/proc/net/udp", .udp), ("/proc/net/udp6", .udp),
  ]

  static let plan: FactPlanner = { _ throws(ProbeError) in
    let commands = tables.map { ProbeCommand(["cat", $0.path]) }
    return FactPlan(commands: commands) { outputs throws(ProbeError) in
      var listeners: [Listener] = []
      for (command, table) in zip(commands, tables) {
        let output = try outputs.output(command)
        // A kernel without IPv6 has no tcp6 table: no IPv6 listeners, not an error.
        guard output.exitStatus == 0 else { continue }
        listeners += try parse(output.stdoutText, proto: table.proto, command: command)
      }
      return .present(listeners)
    }
  }

  /// Rows of `sl local_address rem_address st ...`; TCP listens in state 0A, UDP sockets bound
  /// with no peer are state 07.
  static func parse(_ text: String, proto: Port.TransportProtocol, command: ProbeCommand) throws(ProbeError)
    -> [Listener]
  {
    var result: [Listener] = []
    for line in text.split(separator: "\n").dropFirst() {
      let fields = line.split(separator: " ")
      guard fields.count > 3 else { continue }
      let state = fields[3]
      guard (proto == .tcp && state == "0A") || (proto == .udp && state == "07") else { continue }
      let local = fields[1].split(separator: ":")
      guard local.count == 2, let port = Int(local[1], radix: 16), let address = decodeAddress(local[0])
      else {
        throw .unexpectedOutput(command: command.description, detail: String(line))
      }
      result.append(Listener(proto: proto, address: address, port: port))
    }
    return result
  }

  /// The kernel prints addresses as 32-bit words in host (little-endian) byte order.
  static func decodeAddress(_ hex: Substring) -> String? {
    let bytes = stride(from: 0, to: hex.count, by: 2).compactMap { offset -> UInt8? in
      let start = hex.index(hex.startIndex, offsetBy: offset)
      return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
    }
    guard bytes.count == 4 || bytes.count == 16 else { return nil }
    var ordered: [UInt8] = []
    for word in stride(from: 0, to: bytes.count, by: 4) { ordered += bytes[word..<word + 4].reversed() }
    return IPAddress(bytes: ordered)?.description
  }
}
