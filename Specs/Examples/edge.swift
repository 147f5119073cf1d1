import Foundation
import InfraSpec

// A CDN edge checked from the PoP's own point of view: certificates as served and as stored,
// cache headers, and the GnuPG keys the PoP holds. Point it at the test fixture (it prints
// nothing; its settings are in DIR/manifest.env):
//
//   bash Tests/Fixtures/edge/setup.sh start /tmp/edge
//   INFRASPEC_EDGE=/tmp/edge infraspec run Specs/Examples/edge.swift
//   INFRASPEC_EDGE=/tmp/edge infraspec run Specs/Examples/edge.swift --host root@pop1   # from pop1
//
// Without INFRASPEC_EDGE this spec checks nothing, so `infraspec run Specs/` passes anywhere.

let fixture = ProcessInfo.processInfo.environment["INFRASPEC_EDGE"] ?? ""
let settings: [String: String] = Dictionary(
  uniqueKeysWithValues: ((try? String(contentsOfFile: fixture + "/manifest.env", encoding: .utf8)) ?? "")
    .split(separator: "\n").compactMap { line in
      line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
    })

if let port = settings["TLS_PORT"], let pki = settings["PKI"], let home = settings["GNUPGHOME"],
  let key = settings["GPG_VALID"]
{
  let site = "https://www.pop.test:\(port)"

  describe("edge www.pop.test") {
    describe("tls") {
      TLS("www.pop.test", port: UInt16(port) ?? 443, via: "127.0.0.1").certificateValid(forAtLeast: .days(30))
        .covers("www.pop.test").chainVerifies(caFile: pki + "/ca.pem").rejects(.tls1_1)
      TLS("www.pop.test", port: UInt16(port) ?? 443, via: "127.0.0.1").alpn("h2")
        .publicKeyPin(sha256: settings["PIN"] ?? "")
    }
    describe("http") {
      HTTP(site + "/", via: "127.0.0.1").status(200)
        .header("Cache-Control", contains: "stale-if-error").body(contains: "hello")
      HTTP(site + "/old", via: "127.0.0.1").redirects(to: site + "/new")
      HTTP(site + "/sale", via: "127.0.0.1").maxAge(atMost: .seconds(7200)).expires(before: .seconds(7200))
    }
    describe("files") {
      Certificate(pki + "/www.chain.pem").validFor(atLeast: .days(30)).covers("www.pop.test")
        .matchesKey(pki + "/www.key").isInChainOrder()
    }
    describe("keys") {
      GPGKey(key, homedir: home).exists().validFor(atLeast: .days(30))
        .canEncrypt().hasSecretKey()
    }
  }
}
