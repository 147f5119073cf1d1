import Foundation
import Testing

/// A passing whole-zone DNSSEC check says on its own line how much of the zone it verified.
@Suite("infraspec run: DNSSEC coverage on the passing line", .serialized, .enabled(if: DNSFixture.shouldRun))
struct CoverageLineTests {
  @Test("signaturesValid() passing shows RRsets, names, method and earliest expiry, in human and TAP")
  func coverageLine() throws {
    let fixture = try DNSFixture.get()
    let root = try CLI.workspace([
      "zone.swift": """
      import InfraSpec

      describe("dnssec") {
        DNSSEC("alg15.infraspec.test", server: "127.0.0.1", port: \(fixture.port)).signaturesValid()
        DNSSEC("alg8.infraspec.test", server: "127.0.0.1", port: \(fixture.port)).signaturesValid()
      }
      """
    ])
    let human = try CLI.run(["run", "--format", "human"], in: root)
    #expect(human.status == 0, "\(human.stdout)\(human.stderr)")
    let lines = human.stdout.split(separator: "\n").filter { $0.contains("✓") }
    #expect(lines.count == 2, "\(human.stdout)")
    let expiry = "earliest expiry \(fixture["NORMAL_END_DAY"]), in "
    #expect(
      lines.contains { $0.contains("alg15") && $0.contains("(zone transfer) verified; \(expiry)") },
      "\(human.stdout)")
    #expect(
      lines.contains { $0.contains("alg8") && $0.contains("(NSEC chain walked) verified; \(expiry)") },
      "\(human.stdout)")
    #expect(lines.allSatisfy { $0.contains(" RRsets at ") && $0.contains(" names ") }, "\(human.stdout)")
    let tap = try CLI.run(["run", "--format", "tap"], in: root)
    #expect(tap.stdout.components(separatedBy: "  found: ").count == 3, "\(tap.stdout)")
    #expect(tap.stdout.contains("(zone transfer) verified"), "\(tap.stdout)")
  }
}
