@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
package import InfraSpecDNS

/// DNS over TCP through the SSH connection: the query leaves from the host, so the answer is the
/// one the host itself gets, and the host needs no `dig`.
extension SSHTransport: DNSTunneling {
  package var dnsConnector: any DNSStreamConnector { SSHDNSConnector(transport: self) }
}

/// One `direct-tcpip` channel per query, carrying RFC 1035 length-prefixed messages.
struct SSHDNSConnector: DNSStreamConnector {
  let transport: SSHTransport

  func exchange(_ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration) async throws
    -> [UInt8]
  {
    let stream = try await transport.openTCPStream(host: server, port: port, timeout: timeout)
    defer { stream.close() }
    try stream.send(framedQuery)
    let length = try await stream.receive(count: 2, timeout: timeout)
    return try await stream.receive(count: Int(length[0]) << 8 | Int(length[1]), timeout: timeout)
  }

  /// A zone transfer: every message on the one channel until `isLast` accepts one. A zone of
  /// more than about 64 KB comes in several (RFC 5936 §2.2).
  func messages(
    _ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration,
    isLast: @escaping @Sendable ([UInt8]) -> Bool
  ) async throws -> [[UInt8]] {
    // One deadline for the whole transfer, as DNSSocket.tcpMessages has: a server that keeps
    // sending without a closing SOA ends in a timeout, not in a run that never ends.
    let deadline = ContinuousClock.now + timeout
    let stream = try await transport.openTCPStream(host: server, port: port, timeout: timeout)
    defer { stream.close() }
    try stream.send(framedQuery)
    var replies: [[UInt8]] = []
    while true {
      let length = try await stream.receive(count: 2, timeout: deadline - ContinuousClock.now)
      let reply = try await stream.receive(
        count: Int(length[0]) << 8 | Int(length[1]), timeout: deadline - ContinuousClock.now)
      replies.append(reply)
      if isLast(reply) { return replies }
    }
  }
}
