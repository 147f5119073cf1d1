import Foundation
import InfraSpec

// DNSSEC as a zone's authoritative server serves it. Set the server to check, e.g. the test
// fixture's (`bash Tests/Fixtures/dns/setup.sh start /tmp/dns` prints its ports):
//
//   INFRASPEC_DNS_SERVER=127.0.0.1 INFRASPEC_DNS_PORT=5353 infraspec run Specs/Examples/dnssec.swift
//
// Without INFRASPEC_DNS_SERVER this spec checks nothing, so `infraspec run Specs/` passes anywhere.

let environment = ProcessInfo.processInfo.environment
if let server = environment["INFRASPEC_DNS_SERVER"], !server.isEmpty {
  let port = UInt16(environment["INFRASPEC_DNS_PORT"] ?? "53") ?? 53
  let zone = environment["INFRASPEC_DNS_ZONE"] ?? "alg13.infraspec.test"
  // The fixture writes its anchor (infraspec.test's key) as BIND's trust-anchors clause.
  let anchor = environment["INFRASPEC_DNS_ANCHOR"]

  describe("DNSSEC of \(zone)") {
    DNSSEC(zone, server: server, port: port).isSigned()
      .signaturesValid(forAtLeast: .days(7), of: "www.\(zone)/A")
      .delegationMatches(parentServer: server, port: port)
      .provesNonexistence()
      .provesNonexistence(of: "mailx.\(zone)")
      .provesNonexistence(of: "mail.\(zone)", type: .txt)
      .algorithms(allowed: 13, 15)
      .everyAlgorithmSignsApex()
      .signatureLifetime(atMost: .days(180))
    if let anchor {
      DNSSEC(zone, server: server, port: port, trustAnchor: anchor).isSecure()
    }
    DNS("www.\(zone)", .a, server: server, port: port).answers("192.0.2.1").isAuthoritative()
    DNS("nothing-here.\(zone)", .a, server: server, port: port).rcode(.nxDomain)
  }
}
