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

/// PEM files on the host, read through the transport: expiry, names, issuer, key match, order.
@Suite("Certificate files", .enabled(if: EdgeFixture.shouldRun))
struct CertificateTests {
  @Test("a good chain file passes; a wrong key, a short chain, a reversed file and a missing file fail")
  func files() async throws {
    let fixture = try await EdgeFixture.ready()
    let pki = fixture.pki
    let checks =
      Certificate(pki + "/www.chain.pem").validFor(atLeast: .days(30)).covers("www.pop.test")
      .matchesKey(pki + "/www.key").isInChainOrder().issuer(contains: "Edge Intermediate")
      .verifies(caFile: pki + "/ca.pem").__chain.checks
      + Certificate(pki + "/www.chain.pem").matchesKey(pki + "/soon.key").covers("soon.pop.test").__chain
      .checks
      + Certificate(pki + "/early.chain.pem").validFor(atLeast: .days(30)).__chain.checks
      + Certificate(pki + "/reversed.chain.pem").isInChainOrder().__chain.checks
      + Certificate(pki + "/nope.pem").exists().validFor(atLeast: .days(1)).__chain.checks
    let messages = await EdgeFixture.messages(checks)
    #expect(messages.prefix(6).allSatisfy { $0.hasPrefix("passed: ") }, "\(messages)")
    let www = "certificate \(pki)/www.chain.pem"
    #expect(
      messages[6] == "\(www): key: expected to match \(pki)/soon.key, got www.pop.test has another public key"
    )
    #expect(
      messages[7]
        == "\(www): names: expected to cover soon.pop.test, got www.pop.test names www.pop.test, *.img.pop.test"
    )
    #expect(
      messages[8].hasPrefix(
        "certificate \(pki)/early.chain.pem: validity: expected valid for at least 30 days, got intermediate Short Intermediate expires first: expires in 2 days 23 hours ("
      ), "\(messages[8])")
    #expect(
      messages[9]
        == "certificate \(pki)/reversed.chain.pem: chain order: expected each certificate issued by the next, got certificate 1 (Edge Intermediate) is issued by CN=InfraSpec Test Root,O=InfraSpec Test, followed by CN=www.pop.test"
    )
    #expect(messages[10] == "certificate \(pki)/nope.pem: exists: expected present, got no such file")
    #expect(
      messages[11]
        == "certificate \(pki)/nope.pem: validity: skipped: certificate \(pki)/nope.pem: no such file")
  }
}
