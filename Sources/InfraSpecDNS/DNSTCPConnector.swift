@_spi(Runner) internal import InfraSpecCore
import Dispatch

/// DNS over a direct TCP connection from this machine.
struct DNSTCPConnector: DNSStreamConnector {
  func exchange(_ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration) async throws
    -> [UInt8]
  {
    try await DNSClient.offload { () throws(DNSClientError) in
      try DNSSocket.tcpExchange(framedQuery, server: server, port: port, timeout: timeout)
    }
  }

  func messages(
    _ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration,
    isLast: @escaping @Sendable ([UInt8]) -> Bool
  ) async throws -> [[UInt8]] {
    try await DNSClient.offload { () throws(DNSClientError) in
      try DNSSocket.tcpMessages(framedQuery, server: server, port: port, timeout: timeout, isLast: isLast)
    }
  }
}
