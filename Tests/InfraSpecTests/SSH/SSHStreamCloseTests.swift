import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecDNS
@testable import InfraSpecSockets
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// A `direct-tcpip` stream closed while the far side still sends (an HTTP check that kept the
/// first bytes of a 1 GiB body) must end at once, not after the rest has crossed the connection.
@Suite("SSH direct-tcpip streams close promptly", .serialized)
struct SSHStreamCloseTests {
  /// Streams up to 1 GiB to the first client, then prints how much the kernel took from it.
  static let streamer = """
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    print(s.getsockname()[1], flush=True)
    c, _ = s.accept(); chunk = b"x" * 65536; sent = 0
    try:
        while sent < 1 << 30:
            sent += c.send(chunk)
    except OSError:
        pass
    print(sent, flush=True)
    """

  /// A loopback sshd, the streamer, and a `direct-tcpip` stream to it; `body` gets the transport,
  /// the stream and a way to ask how much the streamer sent (once its connection ended).
  func withStream(
    _ body: (SSHTransport, SSHTCPStream, _ sent: @escaping () async throws -> Int) async throws -> Void
  ) async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let streamer = try Subprocess.spawn(["python3", "-c", Self.streamer], stdout: .pipe)
    defer { streamer.terminate() }
    let port = try #require(UInt16(await ChildProcess.offPool { streamer.readLine() }))
    let ssh = try await SSHTransport(target: server.target, options: server.options())
    let stream = try await ssh.openTCPStream(host: "127.0.0.1", port: port)
    try await body(ssh, stream) {
      try #require(Int(await ChildProcess.offPool { streamer.readLine() }))
    }
  }

  @Test("closing a stream whose server still sends returns promptly and does not read the rest")
  func closeWhileSending() async throws {
    try await withStream { ssh, stream, sent in
      #expect(try await stream.receive(count: 1 << 20, timeout: .seconds(20)).count == 1 << 20)
      let start = ContinuousClock.now
      stream.close()
      // The connection serves the next channel at once, and closes without draining the stream.
      let output = try await ssh.run(ProbeCommand(["echo", "next"]), timeout: .seconds(20))
      #expect(output.stdout == Array("next\n".utf8))
      await ssh.close()
      // Before the fix this took 45–88 s after a 1 GiB body; 15 s leaves room for a loaded CI machine.
      #expect(ContinuousClock.now - start < .seconds(15))
      // sshd closed the server's connection: the server stopped far short of 1 GiB.
      let total = try await sent()
      #expect(total < 256 << 20, "the server sent \(total >> 20) MiB before the stream closed")
    }
  }

  @Test("a stream nobody reads from is not read for: the far side waits instead of memory filling up")
  func backPressure() async throws {
    try await withStream { ssh, stream, sent in
      #expect(try await stream.receive(count: 1024, timeout: .seconds(20)).count == 1024)
      // Three seconds without a receive: loopback SSH moves hundreds of MiB in that time when the
      // connection reads on regardless (270 MiB before the reader set the pace).
      try await Task.sleep(for: .seconds(3))
      // What waited in the buffer is still there, in order, and the stream goes on after it.
      let next = try await stream.receive(count: 8 << 20, timeout: .seconds(20))
      #expect(next.count == 8 << 20 && next.allSatisfy { $0 == UInt8(ascii: "x") })
      stream.close()
      await ssh.close()
      let total = try await sent()
      #expect(total < 48 << 20, "the server sent \(total >> 20) MiB to a reader that took 8 MiB")
    }
  }
}
