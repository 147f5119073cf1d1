import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecDNS
@testable import InfraSpecSockets
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// Issue 13's assertions checked from a host over SSH (a loopback sshd, DNS through its
/// direct-tcpip channels) give the verdicts a local run gives; a zone transfer of 32 messages
/// is read whole through one channel.
@Suite("DNSSEC assertions over SSH", .enabled(if: DNSFixture.shouldRun), .serialized)
struct DNSSECOverSSHTests {
  static func spec(_ fixture: DNSFixture) -> String {
    """
    import InfraSpec

    let s = "127.0.0.1"
    let anchor = "\(fixture.directory)/anchors.conf"
    describe("dnssec") {
      DNSSEC("good.chain.infraspec.test", server: s, port: \(fixture.port), trustAnchor: anchor).isSecure()
      DNSSEC("badds.chain.infraspec.test", server: s, port: \(fixture.port), trustAnchor: anchor).isSecure()
      DNSSEC("rollover.infraspec.test", server: s, port: \(fixture.port)).everyAlgorithmSignsApex()
      DNSSEC("alg8.infraspec.test", server: s, port: \(fixture.port)).signatureLifetime(atMost: .days(7)).ttlsWithinValidity()
      DNSSEC("disagree.infraspec.test", server: s, port: \(fixture.port)).rrsetAgrees(.dnskey, on: "[::1]:\(fixture.secondaryPort)").cdsAgrees(on: "[::1]:\(fixture.secondaryPort)")
      DNSSEC("cdsbad.infraspec.test", server: s, port: \(fixture.port)).cdsMatchesKeys()
      DNSSEC("alg8.infraspec.test", server: s, port: \(fixture.port)).rsaKeySize(atLeast: 2048)
      DNSSEC("alg10.infraspec.test", server: s, port: \(fixture.port)).nsec3FollowsRFC9276().reportsNSID("ns1-primary")
      DNSSEC("bulk.infraspec.test", server: s, port: \(fixture.port)).signaturesValid(forAtLeast: .days(60))
    }
    """
  }

  /// The `Specs/…` lines of the human report: one per check, verdict and message.
  static func verdicts(_ output: String) -> [String] {
    // The human view indents a failure's detail under its ✗.
    output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
      $0.hasPrefix("Specs/")
    }
  }

  @Test("chain, audit rules, key sizes, NSEC3, NSID and a 32-message AXFR: the same verdicts over SSH")
  func sameOverSSH() async throws {
    let fixture = try DNSFixture.get()
    let root = try CLI.workspace(["dnssec.swift": Self.spec(fixture)])
    let local = try CLI.run(["run", "--format", "human"], in: root)
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let remote = try CLI.run(
      [
        "run", "--format", "human", "--host", server.target, "--known-hosts", server.knownHostsFile, "-i",
        server.clientKey("ed25519"),
      ],
      in: root)
    #expect(local.status == 1, "\(local.stdout)\(local.stderr)")
    #expect(remote.status == 1, "\(remote.stdout)\(remote.stderr)")
    let lines = Self.verdicts(remote.stdout)
    #expect(lines == Self.verdicts(local.stdout), "over SSH:\n\(remote.stdout)\nlocally:\n\(local.stdout)")
    func line(_ prefix: String, containing part: String) {
      #expect(
        lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) && $0.contains(part) },
        "\(prefix) … \(part)\n\(remote.stdout)")
    }
    line("Specs/dnssec.swift:7:", containing: "bogus: NO_SEP: no DNSKEY of badds.chain.infraspec.test")
    line("Specs/dnssec.swift:8:", containing: "MISSING_RRSIG_FOR_ALG_SOA: algorithm 8 (RSASHA256)")
    line("Specs/dnssec.swift:9:", containing: "lasts 30 days")
    line(
      "Specs/dnssec.swift:10:",
      containing:
        "[::1]:\(fixture.secondaryPort) (NSID ns2-secondary) serves another disagree.infraspec.test/DNSKEY RRset "
        + "than 127.0.0.1 (NSID ns1-primary)")
    line("Specs/dnssec.swift:11:", containing: "matches no DNSKEY of cdsbad.infraspec.test")
    line("Specs/dnssec.swift:12:", containing: "DNSKEY_SMALLER_THAN_REC: DNSKEY \(fixture["ZSK_alg8"])")
    line("Specs/dnssec.swift:13:", containing: "DS03_ILLEGAL_ITERATION_VALUE: NSEC3 of alg10.infraspec.test")
    // 1,500 TXT names, each with its NSEC, and the apex: all of it came by transfer, not by walk.
    line("Specs/dnssec.swift:14:", containing: "(zone transfer) checked")
    #expect(remote.stdout.contains("3 passed, 9 failed, 0 could not check"), "\(remote.stdout)")
  }
}
