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

    /// `Specs/Examples/edge.swift` itself, as an ops engineer runs it against one PoP: every check
    /// passes on a healthy edge; each `lab/edge.sh` fault fails exactly the checks that name it.
    @Test(
      "Specs/Examples/edge.swift passes on lax1; a 5-day certificate, a revoked staple and a cache without stale fail exactly their checks"
    )
    func example() throws {
      try FleetLabTests.lab("lab/up.sh", "1")
      defer { _ = try? FleetLabTests.lab("lab/down.sh") }
      try FleetLabTests.lab("lab/edge.sh", "start", "lax1")
      let key = try String(contentsOfFile: FleetLabTests.state + "/edge-gpg/fingerprint", encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      #expect(key.count == 40, "\(key)")
      func run() throws -> (status: Int32, failures: [String], output: String) {
        let result = try CLI.run(
          [
            "run", "Specs/Examples/edge.swift", "--inventory", FleetLabTests.state + "/inventory.ini",
            "--known-hosts", FleetLabTests.state + "/known_hosts", "--limit", "lax1", "--format", "human",
          ], in: FleetLabTests.repository, environment: ["POP_CONTENT_KEY": key])
        let failures = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
          .filter { $0.hasPrefix("✗ ") || $0.hasPrefix("? ") }
        return (result.status, failures, result.stdout + result.stderr)
      }

      let healthy = try run()
      #expect(healthy.status == 0, "\(healthy.output)")
      #expect(
        healthy.output.contains("30 passed, 0 failed, 0 could not check, 0 skipped"), "\(healthy.output)")
      #expect(healthy.output.contains("✓ gpg key \(key) in /etc/pop/gnupg: can encrypt"), "\(healthy.output)")

      // A 5-day certificate, stored and served: the two validity checks, nothing else.
      try FleetLabTests.lab("lab/edge.sh", "expire", "lax1")
      let expiring = try run()
      #expect(expiring.status == 1, "\(expiring.output)")
      #expect(
        expiring.failures == [
          "✗ tls www.pop.test:8443 via 127.0.0.1: certificate valid for at least 30 days",
          "✗ certificate /etc/pop/tls/pop.pem: valid for at least 30 days",
        ], "\(expiring.output)")
      #expect(expiring.output.contains("28 passed, 2 failed, 0 could not check"), "\(expiring.output)")
      // A 5-day certificate: 4 or 5 days left, depending on the seconds between making and checking it.
      #expect(
        expiring.output.contains(
          #/edge.swift:\d+:\d+: tls www\.pop\.test:8443 via 127\.0\.0\.1: certificate: expected valid for at least 30 days, got leaf www\.pop\.test expires first: expires in [45] days/#
        ), "\(expiring.output)")
      #expect(
        expiring.output.contains(
          #/certificate /etc/pop/tls/pop\.pem: validity: expected valid for at least 30 days, got leaf www\.pop\.test expires in [45] days/#
        ), "\(expiring.output)")
      try FleetLabTests.lab("lab/edge.sh", "renew", "lax1")

      // The staple says the leaf is revoked: the OCSP check alone, with the date and reason.
      try FleetLabTests.lab("lab/edge.sh", "revoke", "lax1")
      let revoked = try run()
      #expect(revoked.status == 1, "\(revoked.output)")
      #expect(
        revoked.failures == ["✗ tls www.pop.test:8443 via 127.0.0.1: ocsp staple good"], "\(revoked.output)")
      #expect(
        revoked.output.contains(
          #/tls www\.pop\.test:8443 via 127\.0\.0\.1: ocsp: expected a current, signed OCSP staple saying good, got leaf www\.pop\.test revoked on [\dT:-]+Z, keyCompromise \(this update /#
        ), "\(revoked.output)")
      try FleetLabTests.lab("lab/edge.sh", "unrevoke", "lax1")

      // The origin cut off: the cache serves stale, so the edge stays green.
      try FleetLabTests.lab("lab/edge.sh", "cut-origin", "lax1")
      let cut = try run()
      #expect(cut.status == 0 && cut.failures.isEmpty, "\(cut.output)")
      // A deploy that drops proxy_cache_use_stale: the same outage now reaches users.
      try FleetLabTests.lab("lab/edge.sh", "no-stale", "lax1")
      let noStale = try run()
      #expect(noStale.status == 1, "\(noStale.output)")
      #expect(
        noStale.failures == [
          "✗ http http://www.pop.test:8080/: status 200",
          "✗ http http://www.pop.test:8080/: body contains hello from",
        ], "\(noStale.output)")
      #expect(
        noStale.output.contains("http http://www.pop.test:8080/: status: expected 200, got 502"),
        "\(noStale.output)")
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
