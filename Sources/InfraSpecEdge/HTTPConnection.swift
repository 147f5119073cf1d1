@_spi(Runner) internal import InfraSpecCore
package import InfraSpecTransports

/// The bytes under an HTTP exchange: a plain TCP stream, or a TLS session over one.
package enum HTTPConnection: Sendable {
  case plain(any ByteStream)
  case tls(TLSSession)

  func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(ProbeError) {
    switch self {
    case .plain(let stream): try await stream.send(bytes, deadline: deadline)
    case .tls(let session): try await session.write(bytes, deadline: deadline)
    }
  }

  /// Up to `limit` bytes; empty at the end of the response stream.
  func receive(atMost limit: Int, deadline: ContinuousClock.Instant) async throws(ProbeError) -> [UInt8] {
    switch self {
    case .plain(let stream): try await stream.receive(atMost: limit, deadline: deadline)
    case .tls(let session): try await session.read(atMost: limit, deadline: deadline)
    }
  }

  func close() {
    switch self {
    case .plain(let stream): stream.close()
    case .tls: break  // the session closes its stream when released
    }
  }
}
