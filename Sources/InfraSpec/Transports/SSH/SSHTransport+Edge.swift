/// Edge checks (TLS, HTTP) through the SSH connection: the TCP connection starts at the host, so
/// the certificate and the response are the ones the host sees.
extension SSHTransport: TCPTunneling {
  func openStream(host: String, port: UInt16, timeout: Duration) async throws(ProbeError) -> any ByteStream {
    SSHByteStream(stream: try await openTCPStream(host: host, port: port, timeout: timeout))
  }
}

/// An `SSHTCPStream` read as bytes arrive.
struct SSHByteStream: ByteStream {
  let stream: SSHTCPStream

  func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(ProbeError) {
    try stream.send(bytes)
  }

  func receive(atMost limit: Int, deadline: ContinuousClock.Instant) async throws(ProbeError) -> [UInt8] {
    let left = deadline - .now
    guard left > .zero else { throw .other("timed out waiting for the host's TCP stream") }
    return try await stream.receive(upTo: limit, timeout: left)
  }

  func close() { stream.close() }
}
