import InfraSpec

// The workshop spec of `lab/demo.sh`: every PoP of the lab, checked from its own point of view
// (its edge listens on its own 127.0.0.1, reached through the SSH connection), and the fleet as a
// whole. Each describe block is one step of the story: it goes red when the demo breaks a PoP.
//
//   sudo lab/demo.sh            # interactive: Enter moves on
//   sudo lab/demo.sh --yes      # unattended (CI)
//
// By hand: `lab/up.sh 4`, `lab/edge.sh start lax1` (and the other PoPs), then
//   infraspec run Specs/Examples/demo --inventory lab/state/inventory.ini --known-hosts lab/state/known_hosts

describe("PoP", hosts: "pops") {
  describe("network") {
    Interface("eth0").isUp()
    Port(22).isListening()
  }

  describe("secrets") {
    File("/etc/pop/service.key").isFile().mode(0o600)
  }

  describe("tls") {
    // What the PoP stores, and what it serves.
    Certificate("/etc/pop/tls/pop.pem").validFor(atLeast: .days(30)).covers("www.pop.test")
    TLS("www.pop.test", port: 8443, via: "127.0.0.1").certificateValid(forAtLeast: .days(30))
      .covers("www.pop.test").chainVerifies(caFile: "/etc/pop/tls/ca.pem")
  }

  describe("cache") {
    // The page is served even while the origin is cut off: from the cache, stale.
    HTTP("http://www.pop.test:8080/", via: "127.0.0.1").status(200).body(contains: "hello from")
  }

  describe("dns") {
    DNSSEC("pop.test", server: "127.0.0.1").isSigned().signaturesValid(forAtLeast: .days(7))
  }

  // One value compared across every PoP; the hosts that share a value are named.
  describe("fleet") {
    Fleet(Interface("eth0").macAddress).isUniquePerHost()
    Fleet(File("/etc/pop/service.key").sha256Digest).isUniquePerHost()
  }
}
