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

@Suite("DNSSEC audit against BIND", .enabled(if: DNSFixture.shouldRun), .serialized)
struct DNSSECAuditTests {
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

  @Test("correctly signed zones pass every check", arguments: ["alg8", "alg13", "alg14", "alg15"])
  func goodZones(label: String) async throws {
    let audit = fixture.audit(label)
    let zone = "\(label).\(DNSFixture.parent)"
    let www = try name("www.\(zone)")
    var findings = try await audit.isSigned()
    findings += try await audit.signatures(
      ofNames: [
        (www, .a), (www, .aaaa), (www, .txt), (try name("mail.\(zone)"), .a),
        (try name("any.wild.\(zone)"), .a),
      ],
      validForAtLeast: .seconds(7 * 86400))
    findings += try await audit.delegation(parentServer: "127.0.0.1", port: fixture.port)
    findings += try await audit.denialOfExistence()
    findings += try await audit.algorithms()
    #expect(failures(findings) == [])
    #expect(
      findings.map(\.message).contains(
        "RRSIG any.wild.\(zone)/A by key \(fixture.values["ZSK_\(label)"] ?? fixture["KSK_\(label)"]) is valid until \(fixture["NORMAL_END_DAY"]) (in 30 days)"
      ))
    let zsk = fixture.values["ZSK_\(label)"] ?? fixture["KSK_\(label)"]
    #expect(
      findings.map(\.message).contains(
        "RRSIG www.\(zone)/A by key \(zsk) is valid until \(fixture["NORMAL_END_DAY"]) (in 30 days)"))
    let ksk = fixture["KSK_\(label)"]
    let digest = label == "alg14" ? "SHA-384" : "SHA-256"
    let algorithm = ["alg8": 8, "alg13": 13, "alg14": 14, "alg15": 15][label] ?? 0
    #expect(
      findings.map(\.message).contains(
        "DS \(ksk)/\(algorithm)/\(digest) at infraspec.test matches DNSKEY \(ksk) of \(zone)"))
  }

  @Test("the 1024-bit RSA zone-signing key verifies and its algorithm is named")
  func rsaAlgorithm() async throws {
    let findings = try await fixture.audit("alg8").algorithms()
    #expect(
      Set(findings.map(\.message)) == [
        "DNSKEY \(fixture["KSK_alg8"]) uses algorithm 8 (RSASHA256)",
        "DNSKEY \(fixture["ZSK_alg8"]) uses algorithm 8 (RSASHA256)",
      ])
  }

  @Test("RSASHA1 signatures verify, and the algorithm is reported as deprecated")
  func deprecatedAlgorithm() async throws {
    let audit = fixture.audit("alg7")
    let signatures = try await audit.signatures(ofNames: [(try name("www.alg7.infraspec.test"), .a)])
    #expect(failures(signatures) == [])
    let algorithms = try await audit.algorithms()
    #expect(
      algorithms.map(\.message) == [
        "DNSKEY \(fixture["KSK_alg7"]) uses algorithm 7 (RSASHA1-NSEC3-SHA1), which RFC 8624 deprecates"
      ])
  }

  @Test("expired signatures are reported with their date")
  func expired() async throws {
    let www = try name("www.expired.infraspec.test")
    let findings = try await fixture.audit("expired").signatures(ofNames: [(www, .a)])
    #expect(
      failures(findings).last
        == "RRSIG www.expired.infraspec.test/A by key \(fixture["KSK_expired"]) expired \(fixture["EXPIRED_DAY"]) (9 days ago)"
    )
    #expect(findings.allSatisfy { !$0.passed })
  }

  @Test("signatures that are not valid yet are reported with their inception")
  func future() async throws {
    let www = try name("www.future.infraspec.test")
    let findings = try await fixture.audit("future").signatures(ofNames: [(www, .a)])
    #expect(
      failures(findings).last
        == "RRSIG www.future.infraspec.test/A by key \(fixture["KSK_future"]) is not valid until \(fixture["FUTURE_DAY"]) (in 6 days)"
    )
  }

  @Test("signatures that expire too soon fail the lifetime wanted")
  func soon() async throws {
    let www = try name("www.soon.infraspec.test")
    let audit = fixture.audit("soon")
    let findings = try await audit.signatures(ofNames: [(www, .a)], validForAtLeast: .seconds(7 * 86400))
    #expect(
      failures(findings).last
        == "RRSIG www.soon.infraspec.test/A by key \(fixture["KSK_soon"]) expires \(fixture["SOON_DAY"]) (in 2 days), wanted at least 7 days"
    )
    #expect(findings.allSatisfy { $0.topic == .lifetime })
    let relaxed = try await audit.signatures(ofNames: [(www, .a)], validForAtLeast: .seconds(86400))
    #expect(failures(relaxed) == [])
  }

  @Test("a record altered after signing does not verify")
  func altered() async throws {
    let www = try name("www.altered.infraspec.test")
    let findings = try await fixture.audit("altered").signatures(ofNames: [(www, .a), (www, .aaaa)])
    #expect(
      failures(findings) == [
        "RRSIG www.altered.infraspec.test/A by key \(fixture["KSK_altered"]) does not verify"
      ])
  }

  @Test("an RRset without RRSIG is reported")
  func missingSignature() async throws {
    let www = try name("www.nosig.infraspec.test")
    let findings = try await fixture.audit("nosig").signatures(ofNames: [(www, .a)])
    #expect(failures(findings) == ["www.nosig.infraspec.test/A has no RRSIG"])
  }

  @Test("a DS that points to no key is reported")
  func wrongDS() async throws {
    let findings = try await fixture.audit("wrongds").delegation(
      parentServer: "127.0.0.1", port: fixture.port)
    #expect(
      findings.map(\.message) == [
        "DS \(fixture["ORPHAN_wrongds"])/13/SHA-256 at infraspec.test matches no DNSKEY of wrongds.infraspec.test"
      ])
  }

  @Test("a SHA-1 DS is flagged and NSEC3 iterations are held against RFC 9276")
  func policy() async throws {
    let audit = fixture.audit("alg10")
    let delegation = try await audit.delegation(parentServer: "127.0.0.1", port: fixture.port)
    let ksk = fixture["KSK_alg10"]
    #expect(
      delegation.map(\.message) == [
        "DS \(ksk)/10/SHA-1 at infraspec.test uses SHA-1, which RFC 8624 deprecates; publish a SHA-256 DS",
        "DS \(ksk)/10/SHA-1 at infraspec.test matches DNSKEY \(ksk) of alg10.infraspec.test",
      ])
    let denial = try await audit.denialOfExistence(of: try name("infraspec-test.alg10.infraspec.test"))
    #expect(
      denial.map(\.message) == [
        "NSEC3 proves that infraspec-test.alg10.infraspec.test does not exist",
        "NSEC3 proves that alg10.infraspec.test has no TYPE65281",
        "NSEC3 iterations 10, RFC 9276 wants 0",
      ])
    let zeroIterations = try await fixture.audit("alg13").denialOfExistence()
    #expect(zeroIterations.last?.message == "NSEC3 iterations 0")
  }

  @Test("a broken NSEC chain proves nothing")
  func brokenChain() async throws {
    let findings = try await fixture.audit("brokennsec").denialOfExistence(
      of: try name("infraspec-test.brokennsec.infraspec.test"))
    #expect(
      failures(findings) == [
        "no NSEC or NSEC3 proves that infraspec-test.brokennsec.infraspec.test does not exist"
      ])
  }

  @Test("an unsigned zone is not signed")
  func unsigned() async throws {
    let findings = try await fixture.audit("unsigned").isSigned()
    #expect(findings.map(\.message) == ["unsigned.infraspec.test has no DNSKEY"])
  }

  @Test("servers with different serials are named")
  func serials() async throws {
    let servers = [
      DNSServer(name: "ns1.infraspec.test", address: "127.0.0.1", port: fixture.port),
      DNSServer(name: "ns2.infraspec.test", address: "::1", port: fixture.secondaryPort),
    ]
    let findings = try await fixture.audit("serial").serials(servers: servers)
    #expect(
      findings.map(\.message) == [
        "ns2.infraspec.test serves serial 2026010101, ns1.infraspec.test 2026010102"
      ])
    let same = try await fixture.audit("serial").serials(servers: [servers[0], servers[0]])
    #expect(same.map(\.message) == ["ns1.infraspec.test, ns1.infraspec.test serve serial 2026010102"])
  }

  @Test("a server that does not answer is 'could not check', not a failure")
  func unreachable() async throws {
    let audit = DNSSECAudit(
      zone: fixture.zone("alg13"), server: "127.0.0.1", port: 9, now: fixture.now, timeout: .milliseconds(300)
    )
    let started = ContinuousClock.now
    do {
      _ = try await audit.isSigned()
      Issue.record("an audit against a port nobody serves passed")
    } catch let error as DNSSECAuditError {
      // The query failed, saying where it went: not a verdict on the zone, not a parse error.
      #expect(error.code == .queryFailed, "\(error)")
      #expect(error.detail.contains("127.0.0.1") && error.detail.contains("9"), "\(error.detail)")
    }
    // Only catches a hang; 5.5 s was seen on a loaded 2-core CI machine.
    #expect(ContinuousClock.now - started < .seconds(15))
  }

  /// The real TCP connector, counting what goes through it.
  final class CountingConnector: DNSStreamConnector {
    let uses = Mutex(0)
    func exchange(_ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration) async throws
      -> [UInt8]
    {
      uses.withLock { $0 += 1 }
      return try await DNSTCPConnector().exchange(framedQuery, server: server, port: port, timeout: timeout)
    }

    func messages(
      _ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration,
      isLast: @escaping @Sendable ([UInt8]) -> Bool
    ) async throws -> [[UInt8]] {
      uses.withLock { $0 += 1 }
      return try await DNSTCPConnector().messages(
        framedQuery, server: server, port: port, timeout: timeout, isLast: isLast)
    }
  }

  @Test("queries through a stream connector give the same verdicts")
  func connector() async throws {
    let connector = CountingConnector()
    let audit = DNSSECAudit(
      zone: fixture.zone("alg13"), server: "127.0.0.1", port: fixture.port, connector: connector,
      now: fixture.now)
    let findings = try await audit.signatures()
    let direct = try await fixture.audit("alg13").signatures()
    #expect(!findings.isEmpty)
    #expect(failures(findings) == [])
    // Finding for finding, the same message and verdict as the audit's own queries give.
    #expect(findings.map(\.message) == direct.map(\.message))
    #expect(findings.map(\.passed) == direct.map(\.passed))
    #expect(connector.uses.withLock { $0 } > 0, "the audit did not query through the connector")
  }
}
