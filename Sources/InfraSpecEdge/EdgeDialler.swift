@_spi(Runner) package import InfraSpecCore
package import InfraSpecTransports

/// Where an edge check's TCP connection starts: here for the local transport, at the host for a
/// tunnelling transport, and nowhere for one that cannot tunnel (rather than silently from here).
package enum EdgeDialler {
  package static func connect(
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
