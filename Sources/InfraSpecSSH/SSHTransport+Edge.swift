@_spi(Runner) package import InfraSpecCore
package import InfraSpecTransports
internal import InfraSpecDNS

/// Edge checks (TLS, HTTP) through the SSH connection: the TCP connection starts at the host, so
/// the certificate and the response are the ones the host sees.
extension SSHTransport: TCPTunneling {
  package func openStream(host: String, port: UInt16, timeout: Duration) async throws(ProbeError)
    -> any ByteStream
  {
    do throws(ProbeError) {
      return SSHByteStream(stream: try await openTCPStream(host: host, port: port, timeout: timeout))
    } catch {
      // The host refusing a TCP connection to the target is a finding about the target, not a
      // lost SSH connection (which would skip every other check of the host).
      if case .connection(let why) = error { throw .other(why) }
      throw error
    }
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
    do throws(ProbeError) {
      return try await stream.receive(upTo: limit, timeout: left)
    } catch {
      if case .connection(let why) = error { throw .other(why) }
      throw error
    }
  }

  func close() { stream.close() }
}
