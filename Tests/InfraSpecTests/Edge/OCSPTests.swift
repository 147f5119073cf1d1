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

/// OCSP staples served by nginx (`ssl_stapling_file`) from responses the fixture made with
/// `openssl ocsp`: good, revoked, unknown, stale (next update passed), signed by a foreign key and
/// served without its issuer; and `chainVerifies()` with no CA file against trust stores given
/// through SSL_CERT_FILE and SSL_CERT_DIR in the run's own environment (this machine's trust store
/// is never touched).
@Suite("TLS: OCSP staples and the default trust store", .serialized, .enabled(if: EdgeFixture.shouldRun))
struct OCSPTests {
  @Test("a good, signed, current staple passes; asking for more time than it has left fails with its dates")
  func good() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    let tls = TLS("good.ocsp.pop.test", port: port, via: "127.0.0.1")
    let messages = await EdgeFixture.messages(
      tls.staplesOCSP().ocspStaple(.good).ocspStapleValid(forAtLeast: .days(6)).ocspStapleValid(
        forAtLeast: .days(8)
      ).ocspStaple(.revoked).__chain.checks)
    #expect(messages.count == 5, "\(messages)")
    #expect(messages[0] == "passed: tls good.ocsp.pop.test:\(port) via 127.0.0.1: staples OCSP")
    #expect(messages[1] == "passed: tls good.ocsp.pop.test:\(port) via 127.0.0.1: ocsp staple good")
    #expect(
      messages[2]
        == "passed: tls good.ocsp.pop.test:\(port) via 127.0.0.1: ocsp staple valid for at least 6 days")
    // `openssl ocsp -ndays 7`: 6 days and some hours left by now.
    #expect(
      messages[3].contains(
        #/^tls good\.ocsp\.pop\.test:\d+ via 127\.0\.0\.1: ocsp: expected an OCSP staple current for at least 8 days, got leaf good\.ocsp\.pop\.test good \(this update \d{4}-\d\d-\d\dT[\d:]+Z, next update \d{4}-\d\d-\d\dT[\d:]+Z\): next update in 6 days( \d+ hours)? \(\d{4}-/#
      ), "\(messages[3])")
    #expect(
      messages[4].hasPrefix(
        "tls good.ocsp.pop.test:\(port) via 127.0.0.1: ocsp: expected a current, signed OCSP staple saying revoked, got leaf good.ocsp.pop.test good (this update "
      ), "\(messages[4])")
  }

  @Test("a revoked leaf's staple fails .good naming the date and reason, and passes .revoked")
  func revoked() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    let messages = await EdgeFixture.messages(
      TLS("revoked.ocsp.pop.test", port: port, via: "127.0.0.1").ocspStaple(.good).ocspStaple(.revoked)
        .__chain
        .checks)
    #expect(messages.count == 2, "\(messages)")
    #expect(
      messages[0].contains(
        #/ocsp: expected a current, signed OCSP staple saying good, got leaf revoked\.ocsp\.pop\.test revoked on \d{4}-\d\d-\d\dT[\d:]+Z, keyCompromise \(this update /#
      ), "\(messages[0])")
    #expect(messages[1] == "passed: tls revoked.ocsp.pop.test:\(port) via 127.0.0.1: ocsp staple revoked")
  }

  @Test(
    "a staple whose next update passed, one signed by another CA's key, and none at all fail, cause named")
  func bad() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    let messages = await EdgeFixture.messages(
      TLS("stale.ocsp.pop.test", port: port, via: "127.0.0.1").ocspStaple(.good).ocspStapleValid(
        forAtLeast: .days(1)
      ).__chain.checks
        + TLS("forged.ocsp.pop.test", port: port, via: "127.0.0.1").ocspStaple(.good).__chain.checks
        + TLS("www.pop.test", port: port, via: "127.0.0.1").ocspStaple(.good).staplesOCSP().__chain.checks)
    #expect(messages.count == 5, "\(messages)")
    #expect(
      messages[0].contains(
        #/got leaf stale\.ocsp\.pop\.test good \(this update [\dT:-]+Z, next update [\dT:-]+Z\), but its next update passed 3 days ago$/#
      ), "\(messages[0])")
    #expect(
      messages[1].contains(
        #/ocsp: expected an OCSP staple current for at least 1 days, got leaf stale\.ocsp\.pop\.test good \(.*\): next update 3 days ago \(/#
      ), "\(messages[1])")
    #expect(
      messages[2].contains(
        "got leaf forged.ocsp.pop.test good (this update "),
      "\(messages[2])")
    #expect(
      messages[2].contains("), but its signature does not verify against the served chain"), "\(messages[2])")
    #expect(
      messages[3]
        == "tls www.pop.test:\(port) via 127.0.0.1: ocsp: expected a stapled OCSP response, got no OCSP response stapled"
    )
    #expect(
      messages[4]
        == "tls www.pop.test:\(port) via 127.0.0.1: ocsp: expected a stapled OCSP response, got none")
  }

  @Test(
    "a leaf the responder does not know is .unknown; without the issuer served, the signature cannot be checked"
  )
  func unknownAndUnverifiable() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    let messages = await EdgeFixture.messages(
      TLS("unknown.ocsp.pop.test", port: port, via: "127.0.0.1").ocspStaple(.good).ocspStaple(.unknown)
        .__chain
        .checks
        + TLS("noissuer.ocsp.pop.test", port: port, via: "127.0.0.1").ocspStaple(.good).ocspStapleValid(
          forAtLeast: .days(2)
        ).__chain.checks)
    #expect(messages.count == 4, "\(messages)")
    #expect(
      messages[0].contains("got leaf unknown.ocsp.pop.test unknown to the responder (this update "),
      "\(messages[0])")
    #expect(messages[1] == "passed: tls unknown.ocsp.pop.test:\(port) via 127.0.0.1: ocsp staple unknown")
    // The leaf's entry is found by its serial number alone; its status is good, but unproven.
    #expect(
      messages[2].contains(
        #/got leaf noissuer\.ocsp\.pop\.test good \(.*\), but the server sent no issuer certificate to verify the signature with$/#
      ), "\(messages[2])")
    #expect(
      messages[3]
        == "passed: tls noissuer.ocsp.pop.test:\(port) via 127.0.0.1: ocsp staple valid for at least 2 days")
  }

  @Test("chainVerifies() with no CA file uses the default store: SSL_CERT_FILE and SSL_CERT_DIR decide")
  func defaultTrustStore() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    let root = try CLI.workspace([
      "trust.swift": """
      import InfraSpec

      describe("trust") {
        TLS("www.pop.test", port: \(port), via: "127.0.0.1").chainVerifies()
      }
      """
    ])
    let trust = fixture.pki + "/trust"
    func run(file: String?, folder: String?) throws -> CLI.Result {
      var environment: [String: String] = [:]
      environment["SSL_CERT_FILE"] = file.map { trust + "/" + $0 }
      environment["SSL_CERT_DIR"] = folder.map { trust + "/" + $0 }
      return try CLI.run(["run", "--format", "human"], in: root, environment: environment)
    }
    let passed = "✓ tls www.pop.test:\(port) via 127.0.0.1: chain verifies"

    // The fixture's root alone as the bundle: the chain verifies.
    let bundle = try run(file: "root.pem", folder: "empty-dir")
    #expect(bundle.status == 0 && bundle.stdout.contains(passed), "\(bundle.stdout)\(bundle.stderr)")
    // The root only in a hashed folder, the bundle empty: the folder is read too.
    let folder = try run(file: "empty.pem", folder: "root-dir")
    #expect(folder.status == 0 && folder.stdout.contains(passed), "\(folder.stdout)\(folder.stderr)")
    // Both empty: the host trusts no CA, a failure rather than a file mistake.
    let empty = try run(file: "empty.pem", folder: "empty-dir")
    #expect(empty.status == 1, "\(empty.stdout)\(empty.stderr)")
    #expect(
      empty.stdout.contains(
        "chain: expected to verify against the system CA bundle, got the host's default trust store is empty"),
      "\(empty.stdout)")
    // This machine's own bundle does not hold the fixture's root.
    let system = try run(file: nil, folder: nil)
    #expect(system.status == 1, "\(system.stdout)\(system.stderr)")
    #expect(
      system.stdout.contains("got www.pop.test: unable to get local issuer certificate")
        || system.stdout.contains("got Edge Intermediate: unable to get local issuer certificate"),
      "\(system.stdout)")
  }
}
