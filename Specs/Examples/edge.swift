import Foundation
import InfraSpec

// A CDN point of presence's edge, checked from the PoP's own side: what it serves on its own
// 127.0.0.1 (reached through the SSH connection, so the answer is the PoP's, not the resolver's
// pick), the certificate and key it stores, its cache's headers, and the GnuPG key it decrypts
// deliveries with. Runs on the inventory group `pops`; on this machine alone it checks nothing.
//
//   lab/up.sh 2 && lab/edge.sh start lax1
//   POP_CONTENT_KEY=$(cat lab/state/edge-gpg/fingerprint) infraspec run Specs/Examples/edge.swift \
//     --inventory lab/state/inventory.ini --known-hosts lab/state/known_hosts --limit lax1
//
// Break it: `lab/edge.sh expire lax1` (a 5-day certificate), `lab/edge.sh revoke lax1` (the
// staple says revoked), `lab/edge.sh cut-origin lax1` then `lab/edge.sh no-stale lax1` (the cache
// no longer covers for the origin).

/// The content key every PoP holds, pinned by its full fingerprint (the lab makes its own).
let contentKey = ProcessInfo.processInfo.environment["POP_CONTENT_KEY"] ?? "set POP_CONTENT_KEY"
let site = "https://www.pop.test:8443"

describe("edge", hosts: "pops") {
  describe("tls") {
    // What the PoP serves for www.pop.test: every certificate of the chain, the name, the CA.
    TLS("www.pop.test", port: 8443, via: "127.0.0.1").certificateValid(forAtLeast: .days(30))
      .covers("www.pop.test").chainVerifies(caFile: "/etc/pop/tls/ca.pem").rejects(.tls1_1)
    TLS("www.pop.test", port: 8443, via: "127.0.0.1").accepts(.tls1_3).alpn("h2")
      .issuer(contains: "InfraSpec Lab CA")
    // The OCSP staple says the leaf is good, signed by the CA and not yet stale: clients that
    // require stapling would refuse a revoked or stale one.
    TLS("www.pop.test", port: 8443, via: "127.0.0.1").ocspStaple(.good)
  }

  describe("http") {
    HTTP(site + "/", via: "127.0.0.1").status(200)
      .header("Cache-Control", contains: "stale-if-error").body(contains: "hello")
    HTTP(site + "/old", via: "127.0.0.1").redirects(to: site + "/new")
    // A sale page cached for an hour at most, so a price change reaches users within the hour.
    HTTP(site + "/sale", via: "127.0.0.1").maxAge(atMost: .seconds(3600)).expires(before: .seconds(3600))
  }

  describe("cache") {
    // The page is served even while the origin is cut off: from the cache, stale.
    HTTP("http://www.pop.test:8080/", via: "127.0.0.1").status(200).body(contains: "hello from")
  }

  describe("files") {
    // What the PoP stores: the certificate nginx serves, and the key that goes with it.
    Certificate("/etc/pop/tls/pop.pem").validFor(atLeast: .days(30)).covers("www.pop.test")
      .matchesKey("/etc/pop/tls/pop.key").verifies(caFile: "/etc/pop/tls/ca.pem")
    File("/etc/pop/tls/pop.key").isFile().mode(0o600).owner("root")
  }

  describe("keys") {
    GPGKey(contentKey, homedir: "/etc/pop/gnupg").exists().validFor(atLeast: .days(30))
      .canEncrypt().hasSecretKey()
  }

  describe("dns") {
    DNSSEC("pop.test", server: "127.0.0.1").isSigned().signaturesValid(forAtLeast: .days(7))
  }

  // A PoP holding another PoP's TLS key is one breach away from serving for both.
  describe("fleet") {
    Fleet(File("/etc/pop/tls/pop.key").sha256Digest).isUniquePerHost()
  }
}
