import Foundation
import Synchronization
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite("check times in reports")
struct CheckTimeTests {
  @Test("a DNS check's time is its own query's time, not 0")
  func dnsTime() async throws {
    let server = try DNSMisbehavingServer { query in
      guard var message = try? DNSMessage(decoding: query) else { return nil }
      usleep(30_000)
      message.isResponse = true
      return message.encode()
    }
    defer { server.stop() }
    let transport = CountingTransport([
      HostProfile.osReleaseCommand: HostRunnerTests.debian,
      HostProfile.initCommand: CommandOutput(exitStatus: 0, stdout: Array("systemd\n".utf8), stderr: []),
    ])
    let checks = DNS("www.example.test", .a, server: "127.0.0.1", port: server.port).answers("192.0.2.1")
      .__chain.checks
    let times = Mutex<[Double]>([])
    _ = await HostRunner(transport: transport, checks: checks, options: RunOptions()).run { event in
      if case .checkFinished(let result) = event { times.withLock { $0.append(result.durationMilliseconds) } }
    }
    let recorded = times.withLock { $0 }
    #expect(recorded.count == 1 && recorded[0] >= 30, "\(recorded)")
  }
}
