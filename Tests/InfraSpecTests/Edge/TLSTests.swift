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

/// TLS checks against the nginx fixture: a good chain, expiring certificates, a wrong-SAN
/// default, protocol versions, and servers that never finish a handshake.
@Suite("TLS against nginx", .serialized, .enabled(if: EdgeFixture.shouldRun))
struct TLSTests {
  @Test("a valid chain: expiry, SAN with a wildcard, verification, versions, pin and ALPN all pass")
  func validChain() async throws {
    let fixture = try await EdgeFixture.ready()
    let checks = TLS("www.pop.test", port: fixture.tlsPort, via: "127.0.0.1").certificateValid(
      forAtLeast: .days(30)
    )
    .covers("www.pop.test").covers("a.img.pop.test").chainVerifies(caFile: fixture.pki + "/ca.pem")
    .rejects(.tls1_1).accepts(.tls1_2).protocolVersion(.tls1_3).publicKeyPin(sha256: fixture["PIN"]).alpn(
      "h2"
    )
    .issuer(contains: "CN=Edge Intermediate")
    let messages = await EdgeFixture.messages(checks.__chain.checks)
    #expect(messages.allSatisfy { $0.hasPrefix("passed: ") }, "\(messages)")
    #expect(messages.count == 10)
  }

  @Test("expiry names the certificate that expires first: a 5-day leaf, an intermediate before its leaf")
  func expiry() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    let messages = await EdgeFixture.messages(
      TLS("soon.pop.test", port: port, via: "127.0.0.1").certificateValid(forAtLeast: .days(30)).__chain
        .checks
        + TLS("early.pop.test", port: port, via: "127.0.0.1").certificateValid(forAtLeast: .days(30))
        .certificateValid(forAtLeast: .days(1)).__chain.checks)
    #expect(messages.count == 3)
    // Days only, and either of two: a certificate made for N days has N-1 whole days left, or N
    // when it is checked within the second it was made.
    let soon =
      "tls soon.pop.test:\(port) via 127.0.0.1: certificate: expected valid for at least 30 days, got leaf soon.pop.test expires first: expires in "
    #expect(
      messages[0].hasPrefix(soon + "4 days ") || messages[0].hasPrefix(soon + "5 days "), "\(messages[0])")
    let early =
      "tls early.pop.test:\(port) via 127.0.0.1: certificate: expected valid for at least 30 days, got intermediate Short Intermediate expires first: expires in "
    #expect(
      messages[1].hasPrefix(early + "2 days ") || messages[1].hasPrefix(early + "3 days "), "\(messages[1])")
    #expect(
      messages[2] == "passed: tls early.pop.test:\(port) via 127.0.0.1: certificate valid for at least 1 days"
    )
  }

  @Test(
    "SNI picks the certificate: an unknown name gets the wrong-SAN default; wildcards cover one label only")
  func coverage() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    let messages = await EdgeFixture.messages(
      TLS("wrong.pop.test", port: port, via: "127.0.0.1").covers("wrong.pop.test").__chain.checks
        + TLS("www.pop.test", port: port, via: "127.0.0.1").covers("a.b.img.pop.test").covers("img.pop.test")
        .__chain.checks)
    #expect(
      messages == [
        "tls wrong.pop.test:\(port) via 127.0.0.1: certificate: expected to cover wrong.pop.test, got other.example.test names other.example.test",
        "tls www.pop.test:\(port) via 127.0.0.1: certificate: expected to cover a.b.img.pop.test, got www.pop.test names www.pop.test, *.img.pop.test",
        "tls www.pop.test:\(port) via 127.0.0.1: certificate: expected to cover img.pop.test, got www.pop.test names www.pop.test, *.img.pop.test",
      ])
  }

  @Test("a chain against the wrong CA fails verification, naming the certificate and OpenSSL's reason")
  func wrongCA() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    let messages = await EdgeFixture.messages(
      TLS("www.pop.test", port: port, via: "127.0.0.1").chainVerifies(caFile: fixture.pki + "/other.pem")
        .chainVerifies(caFile: fixture.pki + "/missing.pem").__chain.checks)
    #expect(
      messages[0]
        == "tls www.pop.test:\(port) via 127.0.0.1: chain: expected to verify against \(fixture.pki)/other.pem, got Edge Intermediate: unable to get local issuer certificate"
    )
    #expect(
      messages[1].hasPrefix(
        "tls www.pop.test:\(port) via 127.0.0.1: chain: could not check: cannot read \(fixture.pki)/missing.pem:"
      ),
      "\(messages[1])")
  }

  @Test("a TLS 1.1-only listener accepts TLS 1.1 and rejects TLS 1.2 (OpenSSL 3 at security level 0)")
  func tls11Listener() async throws {
    let fixture = try await EdgeFixture.ready()
    try #require(fixture["TLS11_WORKS"] == "yes", "this OpenSSL cannot serve TLS 1.1")
    let port = fixture.port("TLS11_PORT")
    let messages = await EdgeFixture.messages(
      TLS("www.pop.test", port: port, via: "127.0.0.1").accepts(.tls1_1).rejects(.tls1_2).accepts(.tls1_3)
        .__chain.checks)
    #expect(messages[0] == "passed: tls www.pop.test:\(port) via 127.0.0.1: accepts TLSv1.1")
    #expect(messages[1] == "passed: tls www.pop.test:\(port) via 127.0.0.1: rejects TLSv1.2")
    #expect(
      messages[2].hasPrefix(
        "tls www.pop.test:\(port) via 127.0.0.1: protocol: expected TLSv1.3 accepted, got refused (www.pop.test: the TLS handshake failed: "
      ),
      "\(messages[2])")
  }

  @Test(
    "a server that never finishes the handshake, and a closed port, are could-not-check within the timeout")
  func hostileServers() async throws {
    let fixture = try await EdgeFixture.ready()
    let (stall, closed) = (fixture.port("STALL_PORT"), fixture.port("CLOSED_PORT"))
    let started = ContinuousClock.now
    let messages = await EdgeFixture.messages(
      TLS("www.pop.test", port: stall, via: "127.0.0.1", timeout: .seconds(1)).covers("www.pop.test").rejects(
        .tls1_1
      )
      .__chain.checks
        + TLS("www.pop.test", port: closed, via: "127.0.0.1").covers("www.pop.test").__chain.checks)
    // Each stalled handshake is cut at its 1 s timeout (unheeded, each would hold for the 10 s
    // default); the rest is room for a loaded 2-core CI machine.
    #expect(ContinuousClock.now - started < .seconds(8))
    #expect(
      messages == [
        "tls www.pop.test:\(stall) via 127.0.0.1: certificate: could not check: timed out waiting for TCP 127.0.0.1:\(stall) in the TLS handshake with www.pop.test",
        "tls www.pop.test:\(stall) via 127.0.0.1: protocol: could not check: timed out waiting for TCP 127.0.0.1:\(stall) in the TLS handshake with www.pop.test",
        "tls www.pop.test:\(closed) via 127.0.0.1: certificate: could not check: TCP 127.0.0.1:\(closed): connect(): Connection refused",
      ])
  }
}
