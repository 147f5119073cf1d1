/// Carries one DNS-over-TCP exchange (RFC 7766 framing) over a plain socket or an SSH channel.
protocol DNSStreamConnector: Sendable {
  /// Sends `framedQuery` (with its two-byte length) to `server`:`port`; returns the response without one.
  func exchange(_ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration) async throws
    -> [UInt8]
}
