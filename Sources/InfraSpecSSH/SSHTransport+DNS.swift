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
}
