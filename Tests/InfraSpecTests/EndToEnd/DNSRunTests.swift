import Foundation
import Testing

/// DNS and DNSSEC specs run by the `infraspec` binary against the real BIND fixture.
@Suite("infraspec run: DNS and DNSSEC", .serialized, .enabled(if: DNSFixture.shouldRun))
struct DNSRunTests {
  @Test("records, rcodes, flags and TTLs; signed, signatures, DS, denial, serials, algorithms")
  func dnsAndDNSSEC() async throws {
    let fixture = try await DNSFixture.ready()
    let (port, secondary) = (fixture.port, fixture.secondaryPort)
    let root = try CLI.workspace([
      "dns.swift": """
      import InfraSpec

      let server = "127.0.0.1"
      describe("dns") {
        DNS("www.alg13.infraspec.test", .a, server: server, port: \(port)).answers("192.0.2.1").rcode(.noError)
          .isAuthoritative().ttl(atLeast: 3600, atMost: 3600)
        DNS("www.alg13.infraspec.test", .aaaa, server: server, port: \(port), over: .tcp).contains("2001:db8::1")
        DNS("www.alg13.infraspec.test", .txt, server: server, port: \(port)).answers("v=spf1 -all")
        DNS("alg13.infraspec.test", .mx, server: server, port: \(port)).answers("10 mail.alg13.infraspec.test.")
        DNS("nope.alg13.infraspec.test", .a, server: server, port: \(port)).rcode(.nxDomain).lacksFlags(.tc)
        DNS("www.alg13.infraspec.test", .a, server: server, port: \(port)).answers("192.0.2.9")
      }
      describe("dnssec") {
        DNSSEC("alg13.infraspec.test", server: server, port: \(port)).isSigned()
          .signaturesValid(forAtLeast: .days(7), of: "www.alg13.infraspec.test/A")
          .delegationMatches(parentServer: server, port: \(port)).provesNonexistence().algorithms(allowed: 13, 15)
        DNSSEC("alg8.infraspec.test", server: server, port: \(port)).signaturesValid().algorithms(allowed: 13)
        DNSSEC("expired.infraspec.test", server: server, port: \(port)).signaturesValid()
        DNSSEC("wrongds.infraspec.test", server: server, port: \(port)).delegationMatches(parentServer: server, port: \(port))
        DNSSEC("serial.infraspec.test", server: server, port: \(port)).serialsAgree(on: "127.0.0.1:\(secondary)")
        DNSSEC("unsigned.infraspec.test", server: server, port: \(port)).isSigned()
      }
      """
    ])
    let result = try CLI.run(["run", "--format", "human"], in: root)
    let failures = result.stdout.split(separator: "\n").map { $0.drop { $0 == " " } }.filter {
      $0.hasPrefix("Specs/")
    }
    .map(String.init)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(failures.count == 6, "\(result.stdout)")
    func failure(_ prefix: String, containing part: String) {
      #expect(
        failures.contains { $0.hasPrefix(prefix) && $0.contains(part) },
        "\(prefix) … \(part)\n\(result.stdout)")
    }
    failure(
      "Specs/dns.swift:11:",
      containing:
        "dns www.alg13.infraspec.test/A @127.0.0.1:\(port): answers: expected 192.0.2.9, got 192.0.2.1")
    failure(
      "Specs/dns.swift:17:",
      containing: "dnssec alg8.infraspec.test: algorithms: expected only 13, got DNSKEY ")
    failure("Specs/dns.swift:17:", containing: "uses algorithm 8 (RSASHA256), not one of 13")
    failure(
      "Specs/dns.swift:18:",
      containing:
        "dnssec expired.infraspec.test: signatures: expected valid signatures, got RRSIG expired.infraspec.test/"
    )
    failure("Specs/dns.swift:18:", containing: "days ago)")
    failure(
      "Specs/dns.swift:19:", containing: "at infraspec.test matches no DNSKEY of wrongds.infraspec.test")
    failure("Specs/dns.swift:20:", containing: "serves serial 2026010101")
    failure(
      "Specs/dns.swift:21:",
      containing: "dnssec unsigned.infraspec.test: signed: expected signed DNSKEYs, got ")
    #expect(result.stdout.contains("15 passed, 6 failed, 0 could not check, 0 skipped"), "\(result.stdout)")
  }

  @Test("whole-zone signatures, chosen denials, chains of trust, and answers() only from a real answer")
  func coverageAndRefusals() async throws {
    let fixture = try await DNSFixture.ready()
    let port = fixture.port
    let root = try CLI.workspace([
      "zone.swift": """
      import InfraSpec

      let server = "127.0.0.1"
      let anchor = "\(fixture.directory)/anchors.conf"
      describe("zone") {
        DNSSEC("badsigs.infraspec.test", server: server, port: \(port)).signaturesValid()
        DNSSEC("altered.infraspec.test", server: server, port: \(port)).signaturesValid(forAtLeast: .days(7))
        DNSSEC("alg8.infraspec.test", server: server, port: \(port)).signaturesValid(forAtLeast: .days(7))
          .provesNonexistence(of: "mailx.alg8.infraspec.test")
          .provesNonexistence(of: "mail.alg8.infraspec.test", type: .txt)
        DNSSEC("brokennsec.infraspec.test", server: server, port: \(port)).provesNonexistence()
        DNSSEC("good.chain.infraspec.test", server: server, port: \(port), trustAnchor: anchor).isSecure()
        DNSSEC("badds.chain.infraspec.test", server: server, port: \(port), trustAnchor: anchor).isSecure()
        DNSSEC("ed448.chain.infraspec.test", server: server, port: \(port), trustAnchor: anchor).isSecure()
        DNS("www.example.org", .a, server: server, port: \(port)).answers()
        DNS("nope.alg13.infraspec.test", .a, server: server, port: \(port)).answers()
        DNS("a.brokennsec.infraspec.test", .nsec, server: server, port: \(port), dnssec: true).answers()
        ZoneFile("\(fixture.directory)/zones/soon.infraspec.test.signed", origin: "soon.infraspec.test")
          .verifies(forAtLeast: .days(7))
        ZoneFile("\(fixture.directory)/zones/alg13.infraspec.test.signed", origin: "alg13.infraspec.test")
          .verifies(forAtLeast: .days(7))
      }
      """
    ])
    let result = try CLI.run(["run", "--format", "human"], in: root)
    let lines = result.stdout.split(separator: "\n").map { $0.drop { $0 == " " } }.filter {
      $0.hasPrefix("Specs/")
    }
    .map(String.init)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    func line(_ prefix: String, containing part: String) {
      #expect(
        lines.contains { $0.hasPrefix(prefix) && $0.contains(part) }, "\(prefix) … \(part)\n\(result.stdout)")
    }
    let badsigs = fixture["KSK_badsigs"]
    line(
      "Specs/zone.swift:6:",
      containing: "RRSIG www.badsigs.infraspec.test/A by key \(badsigs) does not verify")
    line(
      "Specs/zone.swift:6:",
      containing: "RRSIG mail.badsigs.infraspec.test/A by key \(badsigs) does not verify")
    line("Specs/zone.swift:6:", containing: "18 RRsets at 6 names (zone transfer) checked; earliest expiry")
    line("Specs/zone.swift:7:", containing: "(NSEC chain walked) checked")
    line("Specs/zone.swift:11:", containing: "a.brokennsec.infraspec.test has no NSEC")
    line(
      "Specs/zone.swift:13:", containing: "bogus: NO_SEP: no DNSKEY of badds.chain.infraspec.test matches DS")
    line("Specs/zone.swift:14:", containing: "indeterminate: ALGORITHM_NOT_IMPLEMENTED")
    line("Specs/zone.swift:15:", containing: "REFUSED")
    line("Specs/zone.swift:17:", containing: "answered SERVFAIL")
    line("Specs/zone.swift:19:", containing: "before the 7 days wanted; and 13 more")
    #expect(lines.count == 8, "\(result.stdout)")
    #expect(result.stdout.contains("6 passed, 5 failed, 3 could not check, 0 skipped"), "\(result.stdout)")
  }

  @Test("the assertions of issue 13 compile as written")
  func issueAssertionsCompile() throws {
    let root = try CLI.workspace([
      "issue.swift": """
      import InfraSpec

      describe("dnssec") {
        DNSSEC("example.com", server: "192.0.2.53", trustAnchor: "com. IN DS 19718 13 2 8ACB…").isSecure()
        DNSSEC("example.com", server: "192.0.2.53").everyAlgorithmSignsApex().signatureLifetime(atMost: .days(180))
        DNSSEC("example.com", server: "192.0.2.53").rrsetAgrees(.dnskey, on: "192.0.2.54", "[2001:db8::53]:53")
        DNSSEC("example.com", server: "192.0.2.53").cdsMatchesKeys().cdsAgrees(on: "192.0.2.54")
        ZoneFile("zones/example.com.signed", origin: "example.com").verifies(forAtLeast: .days(7))
      }
      """
    ])
    let result = try CLI.run(["list"], in: root)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("verifies for 7 days"), "\(result.stdout)")
  }

  @Test(
    "over SSH, DNS goes through the host's connection (direct-tcpip): refused where sshd forbids forwarding")
  func throughSSH() async throws {
    let fixture = try await DNSFixture.ready()
    let root = try CLI.workspace([
      "tunnel.swift": """
      import InfraSpec

      describe("dns from the host") {
        DNS("www.alg13.infraspec.test", .a, server: "127.0.0.1", port: \(fixture.port)).answers("192.0.2.1")
        DNSSEC("alg13.infraspec.test", server: "127.0.0.1", port: \(fixture.port)).isSigned()
      }
      """
    ])
    for (forwarding, status) in [("yes", Int32(0)), ("no", Int32(2))] {
      var configuration = SSHServerFixture.Configuration()
      configuration.extraConfig = "AllowTcpForwarding \(forwarding)"
      let server = try await SSHServerFixture.start(configuration)
      defer { server.stop() }
      let result = try CLI.run(
        [
          "run", "--host", server.target, "--known-hosts", server.knownHostsFile, "-i",
          server.clientKey("ed25519"),
        ],
        in: root)
      #expect(result.status == status, "forwarding \(forwarding): \(result.stdout)\(result.stderr)")
    }
  }

  @Test("a server that does not answer is could not check, not a failure")
  func silentServer() throws {
    let root = try CLI.workspace([
      "silent.swift": """
      import InfraSpec

      describe("dns") {
        DNS("www.example.com", .a, server: "127.0.0.1", port: 9).answers("192.0.2.1")
      }
      """
    ])
    let result = try CLI.run(["run", "--format", "human", "--timeout", "5"], in: root)
    #expect(result.status == 2, "\(result.stdout)")
    #expect(
      result.stdout.contains("answers: could not check: DNS query to 127.0.0.1:9 failed"), "\(result.stdout)")
  }
}
