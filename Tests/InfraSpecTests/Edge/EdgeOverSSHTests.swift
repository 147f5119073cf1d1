import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// The remote vantage: TLS and HTTP checks whose TCP connection starts at the host, through a
/// real sshd's `direct-tcpip` channels, while TLS and HTTP run here.
@Suite("edge checks over SSH", .serialized, .enabled(if: EdgeFixture.shouldRun))
struct EdgeOverSSHTests {
  @Test(
    "through the host's SSH connection the checks pass as locally; where sshd forbids forwarding they cannot check"
  )
  func throughSSH() async throws {
    let fixture = try await EdgeFixture.ready()
    let (port, plain) = (fixture.tlsPort, fixture.port("HTTP_PORT"))
    let checks =
      TLS("www.pop.test", port: port, via: "127.0.0.1").certificateValid(forAtLeast: .days(30)).covers(
        "www.pop.test"
      )
      .rejects(.tls1_1).alpn("h2").__chain.checks
      + HTTP("https://www.pop.test:\(port)/", via: "127.0.0.1").status(200)
      .header("Cache-Control", contains: "stale-if-error").body(contains: "hello").__chain.checks
      + HTTP("http://www.pop.test:\(plain)/", via: "127.0.0.1").status(200).body(contains: "hello").__chain
      .checks
      + TLS("www.pop.test", port: fixture.port("CLOSED_PORT"), via: "127.0.0.1").covers("www.pop.test")
      .__chain.checks
    for forwarding in ["yes", "no"] {
      var configuration = SSHServerFixture.Configuration()
      configuration.extraConfig = "AllowTcpForwarding \(forwarding)"
      let server = try await SSHServerFixture.start(configuration)
      defer { server.stop() }
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      let messages = await EdgeFixture.messages(checks, on: ssh)
      await ssh.close()
      #expect(messages.count == 10)
      if forwarding == "yes" {
        #expect(messages.prefix(9).allSatisfy { $0.hasPrefix("passed: ") }, "\(messages)")
        // A refused target is this check's could-not-check, not a lost host.
        #expect(messages[9].contains(": certificate: could not check: "), "\(messages[9])")
      } else {
        #expect(messages.allSatisfy { $0.contains(": could not check: ") }, "\(messages)")
      }
    }
  }
}
