import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// Every InfraSpec DNSSEC verdict must agree with ldns-verify-zone (the zone alone) and delv (the chain from the parent).
@Suite(
  "DNSSEC verdicts agree with ldns-verify-zone and delv", .enabled(if: DNSFixture.shouldRun), .serialized)
struct DNSSECCrossCheckTests {
  static let zones = [
    "alg7", "alg8", "alg10", "alg13", "alg14", "alg15", "expired", "future", "soon", "altered", "nosig",
    "brokennsec", "badsigs", "walkbad", "nsec3bad",
    "wrongds", "unsigned",
  ]

  @Test("same verdict as the independent validators", arguments: zones)
  func agree(label: String) async throws {
    let fixture = try await DNSFixture.ready()
    let zoneText = "\(label).\(DNSFixture.parent)"
    let zone = fixture.zone(label)
    let audit = fixture.audit(label)
    func at(_ prefix: String) throws -> DNSName { try DNSName("\(prefix).\(zoneText)") }
    let missing = try at("infraspec-test")

    var inside = try await audit.isSigned()
    inside += try await audit.signatures(
      ofNames: [
        (zone, .a), (zone, .mx), (try at("a"), .a), (try at("mail"), .a), (try at("www"), .a),
        (try at("www"), .aaaa), (try at("www"), .txt), (try at("z"), .a), (try at("any.wild"), .a),
      ])
    inside += try await audit.denialOfExistence(of: missing)
    let zoneValid = inside.filter(\.isValidity).allSatisfy(\.passed)

    let ldns = await DNSFixture.runOffPool([
      "ldns-verify-zone", "\(fixture.directory)/zones/\(zoneText).signed",
    ])
    #expect(
      zoneValid == (ldns.status == 0),
      "InfraSpec: \(inside.filter { !$0.passed }.map(\.message)); ldns-verify-zone: \(ldns.output)")

    let delegation = try await audit.delegation(parentServer: "127.0.0.1", port: fixture.port)
    let chainValid = zoneValid && delegation.filter(\.isValidity).allSatisfy(\.passed)
    var delvOutputs: [String] = []
    var delvValid = true
    for (name, type) in [
      (zoneText, "SOA"), ("www.\(zoneText)", "A"), ("mail.\(zoneText)", "A"), (missing.text, "A"),
    ] {
      let delv = await DNSFixture.runOffPool([
        "delv", "@127.0.0.1", "-p", String(fixture.port), "-a", "\(fixture.directory)/anchors.conf",
        "+root=\(DNSFixture.parent)", name, type,
      ])
      delvOutputs.append(delv.output)
      let validated =
        delv.output.contains("; fully validated")
        || delv.output.contains("; negative response, fully validated")
      delvValid = delvValid && validated
    }
    #expect(
      chainValid == delvValid,
      "InfraSpec: \(delegation.filter { !$0.passed }.map(\.message)); delv: \(delvOutputs)")
  }
}
