/// A TCP connection the edge clients (TLS, HTTP) talk over: a socket from this machine, or a
/// connection the SSH server opens from the host (`direct-tcpip`).
protocol ByteStream: Sendable {
  /// Sends all of `bytes`.
  func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(ProbeError)
  /// Up to `limit` bytes, as soon as any arrive; empty when the peer has closed the stream.
  func receive(atMost limit: Int, deadline: ContinuousClock.Instant) async throws(ProbeError) -> [UInt8]
  func close()
}

/// A transport that can open TCP connections from the host's side, so an edge check sees what
/// the host sees.
protocol TCPTunneling: Transport {
  func openStream(host: String, port: UInt16, timeout: Duration) async throws(ProbeError) -> any ByteStream
}

/// Where an edge check's TCP connection starts: here for the local transport, at the host for a
/// tunnelling transport, and nowhere for one that cannot tunnel (rather than silently from here).
enum EdgeDialler {
  static func connect(
    on transport: any Transport, host: String, port: UInt16, deadline: ContinuousClock.Instant
  ) async throws(ProbeError) -> any ByteStream {
    let timeout = deadline - .now
    if let tunnel = transport as? any TCPTunneling {
      return try await tunnel.openStream(host: host, port: port, timeout: timeout)
    }
    guard transport is LocalTransport else {
      throw .other(
        "the \(type(of: transport)) transport cannot open a TCP connection from \(transport.hostName);"
          + " use the libssh2 transport for edge checks from the host")
    }
    return try await LocalTCPStream.connect(host: host, port: port, deadline: deadline)
  }
}

extension ContinuousClock.Instant {
  /// Milliseconds left for `poll()`, at least 0.
  var pollMilliseconds: Int32 {
    let left = self - .now
    if left <= .zero { return 0 }
    let (seconds, attoseconds) = left.components
    return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
  }
}
