@_spi(Runner) package import InfraSpecCore

/// A TCP connection the edge clients (TLS, HTTP) talk over: a socket from this machine, or a
/// connection the SSH server opens from the host (`direct-tcpip`).
package protocol ByteStream: Sendable {
  /// Sends all of `bytes`.
  func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(ProbeError)
  /// Up to `limit` bytes, as soon as any arrive; empty when the peer has closed the stream.
  func receive(atMost limit: Int, deadline: ContinuousClock.Instant) async throws(ProbeError) -> [UInt8]
  func close()
}

/// A transport that can open TCP connections from the host's side, so an edge check sees what
/// the host sees.
package protocol TCPTunneling: Transport {
  func openStream(host: String, port: UInt16, timeout: Duration) async throws(ProbeError) -> any ByteStream
}
