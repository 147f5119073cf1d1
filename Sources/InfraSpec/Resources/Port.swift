@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A TCP or UDP port something listens on.
///
///     Port(443).isListening()
///     Port(53, .udp).isListening(on: "127.0.0.1")
public struct Port: Resource {
  /// The transport protocol of the port.
  public enum TransportProtocol: String, Sendable {
    /// The transport protocols a port can be checked for.
    case tcp, udp
  }

  public var __chain: __ResourceChain
  let number: Int
  let proto: TransportProtocol

  /// Port `number` for `proto` (TCP unless told).
  public init(_ number: Int, _ proto: TransportProtocol = .tcp) {
    self.number = number
    self.proto = proto
    __chain = __ResourceChain(subject: "port \(number)/\(proto.rawValue)", plan: SocketProbe.plan)
  }

  /// Written alone, `Port(443)` checks that something listens on it.
  public func __whenBare(file: String, line: Int, column: Int) -> Self {
    isListening(file: file, line: line, column: column)
  }

  /// Something listens on the port, on any address.
  public func isListening(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    let (number, proto) = (self.number, self.proto)
    return adding(
      "listening", expected: "listening", title: "is listening", file: file, line: line, column: column
    ) {
      (listeners: [Listener]) in
      let bound = Self.addresses(listeners, number, proto)
      return bound.isEmpty ? .fail(expected: "listening", actual: "not listening") : .pass
    }
  }

  /// Something listens on the port at `address`; a wildcard listener (`0.0.0.0`, `::`) covers it.
  public func isListening(
    on address: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let (number, proto) = (self.number, self.proto)
    let wanted = IPAddress(address)
    return adding(
      "listening", expected: "listening on \(address)", title: "is listening on \(address)",
      file: file, line: line, column: column
    ) { (listeners: [Listener]) in
      guard let wanted else { return .cannotCheck("not an IP address: \(address)") }
      let bound = Self.addresses(listeners, number, proto)
      let covered = bound.contains { have in
        have == wanted || (have.isUnspecified && (have.isIPv4 == wanted.isIPv4 || !have.isIPv4))
      }
      return covered
        ? .pass
        : .fail(
          expected: "listening on \(address)",
          actual: bound.isEmpty
            ? "not listening" : "listening on " + bound.map(\.description).joined(separator: ", "))
    }
  }

  /// Nothing listens on the port, on any address.
  ///
  ///     Port(23).isNotListening()
  ///
  /// Fails with `port 23/tcp: listening: expected not listening, got listening on 0.0.0.0`.
  public func isNotListening(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    let (number, proto) = (self.number, self.proto)
    return adding(
      "listening", expected: "not listening", title: "is not listening", file: file, line: line,
      column: column
    ) {
      (listeners: [Listener]) in
      let bound = Self.addresses(listeners, number, proto)
      return bound.isEmpty
        ? .pass
        : .fail(
          expected: "not listening",
          actual: "listening on " + bound.map(\.description).joined(separator: ", "))
    }
  }

  private static func addresses(_ listeners: [Listener], _ number: Int, _ proto: TransportProtocol)
    -> [IPAddress]
  {
    var seen: [IPAddress] = []
    for listener in listeners where listener.port == number && listener.proto == proto {
      if let address = IPAddress(listener.address), !seen.contains(address) { seen.append(address) }
    }
    return seen
  }
}
