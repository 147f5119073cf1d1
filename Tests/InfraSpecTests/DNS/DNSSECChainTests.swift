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

/// Chain-of-trust verdicts from the fixture's anchor (infraspec.test) down, each cross-checked with delv.
@Suite("DNSSEC chain of trust against BIND and delv", .enabled(if: DNSFixture.shouldRun), .serialized)
struct DNSSECChainTests {
  let fixture: DNSFixture

  init() async throws {
    fixture = try await DNSFixture.ready()
  }

  var anchor: DNSSECTrustAnchor {
    get throws {
      try DNSSECTrustAnchor(
        parsing: String(contentsOfFile: "\(fixture.directory)/anchors.conf", encoding: .utf8))
    }
  }

  /// delv's verdict for the zone's SOA with the fixture's anchor as root.
  func delv(_ zone: String) async -> DNSSECChain.Status {
    let result = await DNSFixture.runOffPool([
      "delv", "@127.0.0.1", "-p", String(fixture.port), "-a", "\(fixture.directory)/anchors.conf",
      "+root=\(DNSFixture.parent)", zone, "SOA",
    ])
    if result.output.contains("; fully validated") { return .secure }
    if result.output.contains("; unsigned answer") { return .insecure }
    return .bogus
  }

  static let cases: [(String, DNSSECChain.Status, String?)] = [
    ("infraspec.test", .secure, nil),
    ("alg8.infraspec.test", .secure, nil),
    ("chain.infraspec.test", .secure, nil),
    ("good.chain.infraspec.test", .secure, nil),
    ("rollover.infraspec.test", .secure, nil),
    ("cdsbad.infraspec.test", .secure, nil),
    ("unsigned.infraspec.test", .insecure, "UNSIGNED_DELEGATION"),
    ("nods.chain.infraspec.test", .insecure, "UNSIGNED_DELEGATION"),
    ("wrongds.infraspec.test", .bogus, "NO_SEP"),
    ("badds.chain.infraspec.test", .bogus, "NO_SEP"),
    ("expired.infraspec.test", .bogus, "EXPIRATION_IN_PAST"),
    ("expkey.chain.infraspec.test", .bogus, "EXPIRATION_IN_PAST"),
    ("ed448.chain.infraspec.test", .indeterminate, "ALGORITHM_NOT_IMPLEMENTED"),
  ]

  @Test("verdict and cause, and delv agrees", arguments: cases)
  func verdict(zone: String, status: DNSSECChain.Status, cause: String?) async throws {
    let audit = DNSSECAudit(
      zone: try DNSName(zone), server: "127.0.0.1", port: fixture.port, now: fixture.now)
    let chain = try await audit.chain(from: try anchor)
    #expect(chain.status == status, "\(chain.cause ?? "") \(chain.shown)")
    if let cause {
      #expect(chain.cause?.hasPrefix(cause + ":") == true, "\(chain.cause ?? "none")")
    } else {
      #expect(chain.cause == nil)
    }
    // delv implements Ed448, so it validates what InfraSpec must call indeterminate.
    #expect(await delv(zone) == (status == .indeterminate ? .secure : status), "\(zone)")
  }

  @Test("the chain names every link: zone, DS → key tag and algorithm, status")
  func links() async throws {
    let audit = DNSSECAudit(
      zone: try DNSName("good.chain.infraspec.test"), server: "127.0.0.1", port: fixture.port,
      now: fixture.now)
    let chain = try await audit.chain(from: try anchor)
    let parent = fixture["KSK_parent"]
    let middle = fixture["KSK_chain"]
    let leaf = fixture["KSK_good_chain"]
    #expect(
      chain.links.map(\.description) == [
        "infraspec.test: trust anchor DNSKEY \(parent): secure",
        "chain.infraspec.test: DS \(middle)/13/SHA-256 → DNSKEY \(middle) (ECDSAP256SHA256): secure",
        "good.chain.infraspec.test: DS \(leaf)/13/SHA-256 → DNSKEY \(leaf) (ECDSAP256SHA256): secure",
      ])
  }

  @Test("a DS anchor works like the key, and parent servers are asked for DS")
  func dsAnchor() async throws {
    let anchor = try DNSSECTrustAnchor(parsing: fixture["PARENT_DS"])
    #expect(anchor.ds.count == 1)
    let audit = DNSSECAudit(
      zone: try DNSName("good.chain.infraspec.test"), server: "127.0.0.1", port: fixture.port,
      now: fixture.now)
    let chain = try await audit.chain(
      from: anchor, parentServers: [DNSServer(name: "parent", address: "127.0.0.1", port: fixture.port)])
    #expect(chain.status == .secure, "\(chain.cause ?? "")")
    // The secondary serves none of the tree: asking it for DS is "could not check".
    await #expect(throws: DNSSECAuditError.self) {
      try await audit.chain(
        from: anchor, parentServers: [DNSServer(name: "other", address: "::1", port: fixture.secondaryPort)])
    }
  }

  @Test("a DS served only by the parent's NS: found through the delegation's NS and glue")
  func parentNameServers() async throws {
    // leaf.mid is served by the secondary alone, mid by a third server that only the
    // delegation in infraspec.test (NS ns.mid, glue on port 53) names.
    let audit = DNSSECAudit(
      zone: try DNSName("leaf.mid.infraspec.test"), server: "::1", port: fixture.secondaryPort,
      now: fixture.now)
    let parent = DNSServer(name: "parent", address: "127.0.0.1", port: fixture.port)
    let chain = try await audit.chain(from: try anchor, parentServers: [parent])
    #expect(chain.status == .secure, "\(chain.cause ?? "") \(chain.shown)")
    #expect(
      chain.links.map(\.description) == [
        "infraspec.test: trust anchor DNSKEY \(fixture["KSK_parent"]): secure",
        "mid.infraspec.test: DS \(fixture["KSK_mid"])/13/SHA-256 → DNSKEY \(fixture["KSK_mid"]) (ECDSAP256SHA256): secure",
        "leaf.mid.infraspec.test: DS \(fixture["KSK_leaf"])/13/SHA-256 → DNSKEY \(fixture["KSK_leaf"]) (ECDSAP256SHA256): secure",
      ])
    // The zone's own server and the parent alone cannot answer for mid: the error names whom it asked.
    let midName = try DNSName("mid.infraspec.test")
    let mid = DNSSECAudit(zone: midName, server: "::1", port: fixture.secondaryPort, now: fixture.now)
    let keyServer = try await mid.authoritativeServer(for: midName, among: [parent]) {
      () async throws(DNSSECAuditError) -> [DNSServer] in
      await mid.delegatedServers(of: midName, at: parent)
    }
    #expect(keyServer == DNSServer(name: "ns.mid.infraspec.test", address: fixture["MID_ADDRESS"], port: 53))
    let error = await #expect(throws: DNSSECAuditError.self) {
      try await mid.authoritativeServer(for: midName, among: [parent, mid.server])
    }
    #expect(
      error?.detail
        == "no server answers for mid.infraspec.test: asked 127.0.0.1:\(fixture.port) (not authoritative), [::1]:\(fixture.secondaryPort) (refused)"
    )
  }

  @Test("anchors: BIND trust-anchors, DS and DNSKEY text; mistakes are named")
  func anchorParsing() throws {
    let ds = try DNSSECTrustAnchor(
      parsing: "com. 86400 IN DS 19718 13 2 8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D7 71D7805A"
    )
    #expect(ds.zone.text == "com")
    #expect(ds.ds.first?.keyTag == 19718)
    #expect(ds.ds.first?.digest.count == 32)
    let bind = try DNSSECTrustAnchor(
      parsing: "trust-anchors {\n  \"example.\" static-ds 1234 13 2 \"00112233\";\n};")
    #expect(bind.ds == [DSRecord(keyTag: 1234, algorithm: 13, digestType: 2, digest: [0, 0x11, 0x22, 0x33])])
    #expect(throws: DNSSECTrustAnchor.ParseError.self) {
      try DNSSECTrustAnchor(parsing: "com. IN A 192.0.2.1")
    }
    #expect(throws: DNSSECTrustAnchor.ParseError.self) {
      try DNSSECTrustAnchor(parsing: "com. IN DS 1 13 2 XYZ")
    }
  }
}
