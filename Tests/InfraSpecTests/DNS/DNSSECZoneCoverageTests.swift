import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// `signaturesValid()` and `provesNonexistence()` judge the whole zone, not just its apex.
@Suite("DNSSEC whole-zone coverage against BIND", .enabled(if: DNSFixture.shouldRun), .serialized)
struct DNSSECZoneCoverageTests {
  let fixture: DNSFixture

  init() async throws {
    fixture = try await DNSFixture.ready()
  }

  func name(_ text: String) throws -> DNSName {
    try DNSName(text)
  }

  func failures(_ findings: [DNSSECFinding]) -> [String] {
    findings.filter { !$0.passed }.map(\.message)
  }

  func coverage(_ findings: [DNSSECFinding]) -> String {
    findings.filter { $0.topic == .coverage }.map(\.message).joined(separator: "; ")
  }

  @Test(
    "bad signatures on www and mail fail, by zone transfer or NSEC walk",
    arguments: [
      ("badsigs", ["www", "mail"], "zone transfer"), ("walkbad", ["mail"], "NSEC chain walked"),
      ("altered", ["www"], "NSEC chain walked"),
    ])
  func badNonApexSignatures(label: String, bad: [String], method: String) async throws {
    let findings = try await fixture.audit(label).zoneSignatures()
    let key = fixture["KSK_\(label)"]
    #expect(
      Set(failures(findings))
        == Set(bad.map { "RRSIG \($0).\(label).infraspec.test/A by key \(key) does not verify" }))
    // Apex SOA NS A MX NSEC DNSKEY, a, mail, www A AAAA TXT, z, *.wild: each with its NSEC.
    #expect(
      coverage(findings)
        == "18 RRsets at 6 names (\(method)) checked; earliest expiry \(fixture["NORMAL_END_DAY"]), in 30 days"
    )
  }

  @Test("correctly signed zones pass whole, and say how they were covered")
  func goodZones() async throws {
    let expiry = "earliest expiry \(fixture["NORMAL_END_DAY"]), in 30 days"
    for (label, method) in [
      ("alg15", "zone transfer"), ("alg8", "NSEC chain walked"), ("alg13", "zone transfer"),
    ] {
      let findings = try await fixture.audit(label).zoneSignatures(validForAtLeast: .days(7))
      #expect(failures(findings) == [], "\(label)")
      #expect(
        coverage(findings).hasSuffix("(\(method)) verified; \(expiry)"), "\(label): \(coverage(findings))")
    }
    let nsec3 = try await fixture.audit("alg10").zoneSignatures()
    #expect(failures(nsec3) == [])
    #expect(coverage(nsec3).contains("NSEC3 hides the other names: the apex, 0 names the spec mentions"))
  }

  @Test("with NSEC3 and no transfer, the names the spec mentions are checked")
  func nsec3Mentioned() async throws {
    let audit = fixture.audit("nsec3bad")
    let apexOnly = try await audit.zoneSignatures()
    #expect(failures(apexOnly) == [])
    #expect(coverage(apexOnly).contains("NSEC3 hides the other names"))
    let www = try name("www.nsec3bad.infraspec.test")
    let named = try await audit.zoneSignatures(mentioning: [(www, .a)])
    #expect(
      failures(named) == [
        "RRSIG www.nsec3bad.infraspec.test/A by key \(fixture["KSK_nsec3bad"]) does not verify"
      ])
    #expect(coverage(named).contains("1 name the spec mentions"))
  }

  @Test("wildcard answers are verified with the proof that the name itself does not exist")
  func wildcard() async throws {
    for label in ["alg8", "alg13"] {
      let findings = try await fixture.audit(label).zoneSignatures(mentioning: [
        (try name("any.wild.\(label).infraspec.test"), .a)
      ])
      #expect(failures(findings) == [], "\(label)")
    }
  }

  @Test("a removed NSEC breaks the chain, whichever name is asked")
  func brokenChain() async throws {
    let audit = fixture.audit("brokennsec")
    let findings = try await audit.nonexistence(of: nil, type: nil)
    #expect(
      failures(findings).contains(
        "a.brokennsec.infraspec.test has no NSEC (the NSEC at brokennsec.infraspec.test points to it): the NSEC "
          + "chain breaks there, so names after it cannot be proven not to exist"), "\(findings)")
    let signatures = try await audit.zoneSignatures()
    #expect(failures(signatures).contains { $0.hasPrefix("a.brokennsec.infraspec.test has no NSEC") })
    let whole = try await fixture.audit("alg8").nonexistence(of: nil, type: nil)
    #expect(failures(whole) == [])
    #expect(coverage(whole) == "NSEC chain of 7 names walked")
  }

  @Test("a chosen name, a chosen type (NODATA), and wildcard-covered names")
  func chosenNames() async throws {
    for label in ["alg8", "alg13"] {
      let zone = "\(label).infraspec.test"
      let audit = fixture.audit(label)
      let proof = label == "alg8" ? "NSEC" : "NSEC3"
      let missing = try await audit.nonexistence(of: try name("mailx.\(zone)"), type: nil)
      #expect(missing.map(\.message) == ["\(proof) proves that mailx.\(zone) does not exist"])
      let noData = try await audit.nonexistence(of: try name("mail.\(zone)"), type: .txt)
      #expect(noData.map(\.message) == ["\(proof) proves that mail.\(zone) has no TXT"])
      let present = try await audit.nonexistence(of: try name("www.\(zone)"), type: .txt)
      #expect(failures(present) == ["www.\(zone) has TXT records; wanted: www.\(zone) has no TXT"])
      let exists = try await audit.nonexistence(of: try name("mail.\(zone)"), type: nil)
      #expect(failures(exists) == ["mail.\(zone) has A records; wanted: mail.\(zone) does not exist"])
      let wild = try await audit.nonexistence(of: try name("x.wild.\(zone)"), type: nil)
      #expect(
        failures(wild)
          == [
            "x.wild.\(zone) has A records (synthesized from a wildcard); wanted: x.wild.\(zone) does not exist"
          ])
    }
  }

  @Test("the broken-chain zone's chosen name in the gap is not proven")
  func chosenNameInGap() async throws {
    let findings = try await fixture.audit("brokennsec").nonexistence(
      of: try name("b.brokennsec.infraspec.test"), type: nil)
    #expect(failures(findings) == ["no NSEC or NSEC3 proves that b.brokennsec.infraspec.test does not exist"])
  }
}
