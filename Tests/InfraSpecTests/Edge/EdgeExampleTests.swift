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

/// `Specs/Examples/edge.swift`, compiled and run by the `infraspec` binary against the fixture;
/// and 50 TLS/HTTP checks timed.
@Suite("infraspec run: Specs/Examples/edge.swift", .serialized, .enabled(if: EdgeFixture.shouldRun))
struct EdgeExampleTests {
  @Test("the example spec passes against the fixture, and list shows its checks and probes")
  func example() async throws {
    let fixture = try await EdgeFixture.ready()
    let source = try String(
      contentsOf: DNSFixture.packageRoot.appendingPathComponent("Specs/Examples/edge.swift"), encoding: .utf8)
    let root = try CLI.workspace(["edge.swift": source])
    let environment = ["INFRASPEC_EDGE": fixture.directory]
    let result = try CLI.run(["run", "--format", "human"], in: root, environment: environment)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("20 passed, 0 failed, 0 could not check, 0 skipped"), "\(result.stdout)")
    let listing = try CLI.run(["list"], in: root, environment: environment)
    #expect(listing.status == 0, "\(listing.stderr)")
    #expect(
      listing.stdout.contains("tls www.pop.test:\(fixture.tlsPort) via 127.0.0.1: rejects TLSv1.1"),
      "\(listing.stdout)")
    #expect(
      listing.stdout.contains(
        "    ~ openssl s_client -connect 127.0.0.1:\(fixture.tlsPort) -servername www.pop.test -tls1_1\n"),
      "\(listing.stdout)")
    #expect(
      listing.stdout.contains(
        "    ~ curl GET \"https://www.pop.test:\(fixture.tlsPort)/old\" via 127.0.0.1\n"))
    #expect(listing.stdout.contains("--lock-never --no-auto-check-trustdb"), "\(listing.stdout)")
  }

  @Test("50 TLS and HTTP checks against the fixture, timed")
  func fiftyChecks() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    // Distinct names (SNI, a request header) so each of the 50 is its own connection.
    let checks = (0..<25).flatMap { index in
      TLS("n\(index).img.pop.test", port: port, via: "127.0.0.1").covers("n\(index).img.pop.test")
        .__chain.checks
        + HTTP("https://www.pop.test:\(port)/", via: "127.0.0.1", headers: ["X-Run": "\(index)"]).status(200)
        .__chain.checks
    }
    let started = ContinuousClock.now
    let messages = await EdgeFixture.messages(checks)
    let elapsed = ContinuousClock.now - started
    print("edge: 50 TLS/HTTP checks (50 connections) against the local nginx fixture in \(elapsed)")
    #expect(messages.count == 50 && messages.allSatisfy { $0.hasPrefix("passed: ") }, "\(messages)")
  }
}
