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

/// `Specs/Examples/edge.swift`, compiled and listed by the `infraspec` binary; and 50 TLS/HTTP
/// checks against the fixture, timed.
@Suite("infraspec run: Specs/Examples/edge.swift", .serialized, .enabled(if: EdgeFixture.shouldRun))
struct EdgeExampleTests {
  /// The example targets the lab's PoPs (FleetLabTests.EdgeLabTests runs it there); here `list`
  /// shows what it checks and which probes it would run, with no host reached.
  @Test("list shows the example's checks and the probes they run")
  func example() throws {
    let root = try CLI.workspace([
      "edge.swift": try String(
        contentsOf: DNSFixture.packageRoot.appendingPathComponent("Specs/Examples/edge.swift"),
        encoding: .utf8)
    ])
    let listing = try CLI.run(
      ["list"], in: root, environment: ["POP_CONTENT_KEY": String(repeating: "A", count: 40)])
    #expect(listing.status == 0, "\(listing.stderr)")
    #expect(
      listing.stdout.contains("edge › tls › tls www.pop.test:8443 via 127.0.0.1: rejects TLSv1.1\n"),
      "\(listing.stdout)")
    #expect(
      listing.stdout.contains(
        "    ~ openssl s_client -connect 127.0.0.1:8443 -servername www.pop.test -tls1_1\n"),
      "\(listing.stdout)")
    #expect(listing.stdout.contains("    ~ curl GET \"https://www.pop.test:8443/old\" via 127.0.0.1\n"))
    #expect(
      listing.stdout.contains(
        "gpg key \(String(repeating: "A", count: 40)) in /etc/pop/gnupg: has secret key"))
    #expect(listing.stdout.contains("--lock-never --no-auto-check-trustdb"), "\(listing.stdout)")
    #expect(
      listing.stdout.split(separator: "\n").filter { $0.hasPrefix("Specs/edge.swift:") }.count == 30,
      "\(listing.stdout)")
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
