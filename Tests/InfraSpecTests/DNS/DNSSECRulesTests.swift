import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// Zonemaster- and DNSViz-style audit rules against the BIND fixture.
@Suite("DNSSEC audit rules against BIND", .enabled(if: DNSFixture.shouldRun), .serialized)
struct DNSSECRulesTests {
  let fixture: DNSFixture

  init() async throws {
    fixture = try await DNSFixture.ready()
  }

  func failures(_ findings: [DNSSECFinding]) -> [String] {
    findings.filter { !$0.passed }.map(\.message)
  }

  var secondary: DNSServer { DNSServer(name: "ns2", address: "::1", port: fixture.secondaryPort) }

  @Test("an algorithm rollover half done: algorithm 8 signs only the DNSKEY RRset")
  func rollover() async throws {
    let findings = try await fixture.audit("rollover").everyAlgorithmSignsApex()
    #expect(
      failures(findings) == [
        "MISSING_RRSIG_FOR_ALG_SOA: algorithm 8 (RSASHA256) is in the DNSKEY set of rollover.infraspec.test but signs no SOA (RFC 6840 §5.11)",
        "MISSING_RRSIG_FOR_ALG_NS: algorithm 8 (RSASHA256) is in the DNSKEY set of rollover.infraspec.test but signs no NS (RFC 6840 §5.11)",
      ])
    let good = try await fixture.audit("alg8").everyAlgorithmSignsApex()
    #expect(good.map(\.message) == ["algorithm 8 (RSASHA256) signs SOA, NS and DNSKEY"])
  }

  @Test("signature lifetimes within bounds, inception not in the future, TTLs shorter than what is left")
  func lifetimes() async throws {
    let alg8 = fixture.audit("alg8")
    #expect(failures(try await alg8.signatureLifetime(atMost: .days(180))) == [])
    let short = try await alg8.signatureLifetime(atMost: .days(7))
    #expect(short.filter { !$0.passed }.count == 21)
    #expect(failures(short).first?.contains("lasts 30 days") == true, "\(failures(short).first ?? "")")
    let future = try await fixture.audit("future").signatureLifetime(atMost: .days(180))
    #expect(
      failures(future).contains { $0.hasPrefix("INCEPTION_IN_FUTURE: RRSIG future.infraspec.test/SOA") })
    #expect(failures(try await alg8.ttlsWithinValidity()) == [])
    let expired = try await fixture.audit("expired").ttlsWithinValidity()
    #expect(
      failures(expired).contains { $0.hasPrefix("TTL_BEYOND_EXPIRATION: expired.infraspec.test/SOA has TTL") }
    )
  }

  @Test("servers that disagree on DNSKEY and CDS are named, with the key they serve")
  func agreement() async throws {
    let audit = fixture.audit("disagree")
    let keys = try await audit.rrsetAgrees(.dnskey, servers: [secondary])
    #expect(
      failures(keys) == [
        "ns2 serves another disagree.infraspec.test/DNSKEY RRset than 127.0.0.1: 1 of the 1 records here missing there, 1 there not here (key \(fixture["KSK_disagree_secondary"]) there)"
      ])
    let cds = try await audit.cdsAgrees(servers: [secondary])
    #expect(failures(cds).count == 2)
    let same = try await fixture.audit("alg13").rrsetAgrees(.dnskey, servers: [audit.server])
    #expect(failures(same) == [])
  }

  @Test("CDS/CDNSKEY that match, that name a key not in the DNSKEY set, and the delete form")
  func cds() async throws {
    let good = try await fixture.audit("cds").cdsMatchesKeys()
    #expect(
      good.map(\.message) == [
        "CDS \(fixture["KSK_cds"]) and CDNSKEY match the DNSKEY set of cds.infraspec.test"
      ])
    let bad = try await fixture.audit("cdsbad").cdsMatchesKeys()
    #expect(
      failures(bad) == [
        "CDS \(fixture["ORPHAN_badds"])/13/SHA-256 matches no DNSKEY of cdsbad.infraspec.test",
        "CDNSKEY \(fixture["KSK_cdsbad"]) has no CDS pointing to it",
      ])
    let delete = try await fixture.audit("cdsdelete").cdsMatchesKeys()
    #expect(delete.map(\.message) == ["CDS/CDNSKEY ask the parent to delete the DS (RFC 8078 §4)"])
    let none = try await fixture.audit("alg13").cdsMatchesKeys()
    #expect(failures(none) == ["alg13.infraspec.test publishes no CDS or CDNSKEY"])
  }
}
