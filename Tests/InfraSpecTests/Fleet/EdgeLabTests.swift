import Foundation
import Testing

// Nested in the lab suite, which is `.serialized`: no two lab tests share the namespaces at once.
extension FleetLabTests {
  /// The edge checked from a lab PoP's own side: nginx and named run inside the PoP's network
  /// namespace (`lab/edge.sh`) and listen on its 127.0.0.1 only, so an answer there can only have
  /// come through the SSH connection's `direct-tcpip` channel, from the PoP. Run under
  /// `flock /tmp/infraspec-lab.lock`.
  @Suite("the edge of a lab PoP over SSH")
  struct EdgeLabTests {
    static let spec = """
      import InfraSpec

      describe("edge", hosts: "pops") {
        TLS("www.pop.test", port: 8443, via: "127.0.0.1").certificateValid(forAtLeast: .days(30))
          .covers("www.pop.test").chainVerifies(caFile: "/etc/pop/tls/ca.pem")
        HTTP("https://www.pop.test:8443/", via: "127.0.0.1").status(200).header("X-PoP", equals: "lax1")
          .body(contains: "hello from lax1 over TLS")
        HTTP("http://www.pop.test:8080/", via: "127.0.0.1").status(200).body(contains: "hello from lax1")
        Certificate("/etc/pop/tls/pop.pem").validFor(atLeast: .days(30)).covers("www.pop.test")
        DNSSEC("pop.test", server: "127.0.0.1").isSigned().signaturesValid(forAtLeast: .days(7))
      }
      """

    @Test("HTTP, TLS and DNSSEC from lax1 pass; fra1 has no edge of its own and cannot be reached for them")
    func fromThePoP() throws {
      try FleetLabTests.lab("lab/up.sh", "2")
      defer { _ = try? FleetLabTests.lab("lab/down.sh") }
      try FleetLabTests.lab("lab/edge.sh", "start", "lax1")
      let root = try CLI.workspace(["edge.swift": Self.spec])
      let result = try FleetLabTests.run([], in: root)
      // fra1 fails (its certificate file is missing) and cannot check the rest: exit 1 wins over 2.
      #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
      let lax1 = Self.subtest("lax1", result.stdout)
      for number in 1...12 { #expect(lax1.contains("    ok \(number) - edge › "), "\(number): \(lax1)") }
      #expect(!lax1.contains("not ok"), "\(lax1)")
      // The same addresses from fra1 reach fra1's own loopback, where nothing listens: from fra1's
      // side there is no edge (its certificate file is missing, the TCP connections are refused).
      let fra1 = Self.subtest("fra1", result.stdout)
      #expect(fra1.contains("not ok 1 - edge › tls www.pop.test:8443 via 127.0.0.1"), "\(fra1)")
      #expect(fra1.contains("could not open a TCP connection to 127.0.0.1:8443"), "\(fra1)")
      #expect(!fra1.contains("    ok 4 - "), "\(fra1)")

      // A certificate about to expire, as stored and as served, and an expired zone: named.
      try FleetLabTests.lab("lab/edge.sh", "expire", "lax1")
      try FleetLabTests.lab("lab/edge.sh", "expire-dnssec", "lax1")
      let broken = Self.subtest("lax1", try FleetLabTests.run([], in: root).stdout)
      #expect(
        broken.contains("not ok 1 - edge › tls www.pop.test:8443 via 127.0.0.1: certificate"), "\(broken)")
      // A 5-day certificate: 4 or 5 days left, depending on the seconds between making and checking it.
      #expect(broken.contains(#/expires in [45] days/#), "\(broken)")
      #expect(broken.contains("not ok 9 - edge › certificate /etc/pop/tls/pop.pem"), "\(broken)")
      #expect(broken.contains("    ok 3 - edge › tls www.pop.test:8443 via 127.0.0.1: chain"), "\(broken)")
      #expect(broken.contains("not ok 12 - edge › dnssec pop.test"), "\(broken)")
    }

    /// The lines of one host's TAP subtest.
    static func subtest(_ host: String, _ tap: String) -> String {
      guard let start = tap.range(of: "# Subtest: \(host)\n") else { return "" }
      let rest = tap[start.upperBound...]
      let end = rest.range(of: "\n    1..")?.upperBound ?? rest.endIndex
      return String(rest[..<end])
    }
  }
}
