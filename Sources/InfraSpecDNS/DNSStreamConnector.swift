@_spi(Runner) internal import InfraSpecCore

/// Carries one DNS-over-TCP exchange (RFC 7766 framing) over a plain socket or an SSH channel.
package protocol DNSStreamConnector: Sendable {
  /// Sends `framedQuery` (with its two-byte length) to `server`:`port`; returns the response without one.
  func exchange(_ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration) async throws
    -> [UInt8]

  /// Sends `framedQuery` and reads responses until `isLast` accepts one (a zone transfer).
  func messages(
    _ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration,
    isLast: @escaping @Sendable ([UInt8]) -> Bool
  ) async throws -> [[UInt8]]
}

extension DNSStreamConnector {
  /// A connector that carries one response per exchange gets one message; a transfer longer than
  /// that is reported incomplete by the caller rather than read wrong.
  package func messages(
    _ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration,
    isLast: @escaping @Sendable ([UInt8]) -> Bool
  ) async throws -> [[UInt8]] {
    [try await exchange(framedQuery, server: server, port: port, timeout: timeout)]
  }
}
