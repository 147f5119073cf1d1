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

// Nested in the lab suite, which is `.serialized`: no two lab tests share the namespaces at once.
extension FleetLabTests {
  /// `infraspec capture` round trip against two lab PoPs (`lab/up.sh`): the spec captured from
  /// lax1 passes on lax1 and fails on nrt1 exactly where the two differ. lax1 and nrt1 are hosts
  /// 1 and 3: both odd, so both have MTU 1500 and differ in MAC, addresses and `/etc/pop`.
  @Suite("capture round trip against the lab")
  struct CaptureLabTests {
    static let state = FleetLabTests.state

    /// `ansible_host`, `mac` and `ipv6` of one inventory host.
    static func inventory(_ host: String) throws -> [String: String] {
      let text = try String(contentsOfFile: state + "/inventory.ini", encoding: .utf8)
      guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("\(host) ") }) else {
        throw SetupError("\(host) is not in the lab inventory")
      }
      var fields: [String: String] = [:]
      for word in line.split(separator: " ").dropFirst() {
        let parts = word.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
      }
      return fields
    }

    /// The kernel's EUI-64 link-local address for a MAC (`addr_gen_mode` 0, the default).
    static func linkLocal(_ mac: String) -> String {
      var bytes = mac.split(separator: ":").compactMap { UInt8($0, radix: 16) }
      bytes[0] ^= 0x02
      let eui = [bytes[0], bytes[1], bytes[2], 0xFF, 0xFE, bytes[3], bytes[4], bytes[5]]
      let groups = stride(from: 0, to: 8, by: 2).map {
        String(UInt16(eui[$0]) << 8 | UInt16(eui[$0 + 1]), radix: 16)
      }
      return IPAddress("fe80::" + groups.joined(separator: ":"))!.description
    }

    static func remote(_ extra: [String]) -> [String] {
      [
        "--inventory", state + "/inventory.ini", "--known-hosts", state + "/known_hosts", "--connect-timeout",
        "5",
      ]
        + extra
    }

    /// `not ok` lines as check names (`captured from lax1 › … › subject: title`).
    static func failing(_ tap: String) -> [String] {
      tap.split(separator: "\n").map { $0.trimmingWhitespace() }.filter { $0.hasPrefix("not ok ") }
        .map { String($0.replacing(#/^not ok \d+ - /#, with: "")) }
    }

    @Test("captured from lax1: passes on lax1; on nrt1 fails on MAC, addresses and /etc/pop digests only")
    func roundTrip() throws {
      try FleetLabTests.lab("lab/up.sh", "3")
      defer { _ = try? FleetLabTests.lab("lab/down.sh") }
      let root = try CLI.workspace([:])
      let only = "interfaces,routes,ports,services,packages,users,files:/etc/pop,sysctls,mounts"
      let capture = try CLI.run(["capture"] + Self.remote(["--limit", "lax1", "--only", only]), in: root)
      #expect(capture.status == 0, "\(capture.stderr)")
      let spec = capture.stdout
      let secret = try String(contentsOfFile: Self.state + "/lax1/etc-pop/service.key", encoding: .utf8)
      #expect(!spec.contains(secret.trimmingWhitespace()), "the secret leaked into the spec")
      #expect(!spec.contains("pop=lax1"), "file content leaked into the spec")
      #expect(spec.contains(#"File("/etc/pop/service.key").isFile().mode(0o600).owner("root")"#), "\(spec)")
      #expect(spec.contains(#"Route.default.exists().via("#), "\(spec)")
      #expect(spec.contains(#"Package("openssh-server").isInstalled().version("#), "\(spec)")
      try FileManager.default.createDirectory(
        at: root.appendingPathComponent("Specs"), withIntermediateDirectories: true)
      let path = root.appendingPathComponent("Specs/lax1.swift")
      try spec.write(to: path, atomically: true, encoding: .utf8)

      let same = try CLI.run(
        ["run", "Specs/lax1.swift", "--format", "tap"] + Self.remote(["--limit", "lax1"]), in: root)
      #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
      #expect(Self.failing(same.stdout).isEmpty, "\(same.stdout)")
      let passed = same.stdout.split(separator: "\n").filter { $0.trimmingWhitespace().hasPrefix("ok ") }
        .count
      #expect(passed > 30, "\(same.stdout)")

      let other = try CLI.run(
        ["run", "Specs/lax1.swift", "--format", "tap"] + Self.remote(["--limit", "nrt1"]), in: root)
      #expect(other.status == 1, "\(other.stdout)\(other.stderr)")
      let lax1 = try Self.inventory("lax1")
      let (v4, v6, mac) = (lax1["ansible_host"] ?? "?", lax1["ipv6"] ?? "?", lax1["mac"] ?? "?")
      let base = "captured from lax1 › "
      let expected = [
        base + "interfaces › interface eth0: mac \(mac)",
        base + "interfaces › interface eth0: has address \(v4)/24",
        base + "interfaces › interface eth0: has address \(v6)/64",
        base + "interfaces › interface eth0: has address \(Self.linkLocal(mac))/64",
        base + "ports › port 22/tcp: is listening on \(v4)",
        base + "ports › port 22/tcp: is listening on \(v6)",
      ].sorted()
      let failed = Self.failing(other.stdout)
      let digests = failed.filter { $0.hasPrefix(base + "files under /etc/pop › file /etc/pop/") }
      #expect(failed.filter { !digests.contains($0) }.sorted() == expected, "\(other.stdout)")
      #expect(
        digests.map { $0.replacing(#/sha256 [0-9a-f]{64}$/#, with: "sha256") }.sorted() == [
          base + "files under /etc/pop › file /etc/pop/pop.conf: sha256",
          base + "files under /etc/pop › file /etc/pop/service.key: sha256",
        ], "\(digests)")
    }
  }
}
