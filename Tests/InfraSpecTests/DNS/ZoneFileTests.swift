import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// The offline verifier agrees with ldns-verify-zone and BIND's dnssec-verify on every fixture file.
@Suite("zone files verified offline, against ldns and BIND", .enabled(if: DNSFixture.shouldRun), .serialized)
struct ZoneFileTests {
  let fixture: DNSFixture

  init() async throws {
    fixture = try await DNSFixture.ready()
  }

  static let zones = [
    "alg7", "alg8", "alg10", "alg13", "alg14", "alg15", "expired", "future", "soon", "altered", "nosig",
    "brokennsec", "badsigs", "walkbad", "nsec3bad", "wrongds", "unsigned", "good.chain", "expkey.chain",
  ]

  func verify(_ path: String, origin: String, days: Int = 0) async throws -> DNSZoneVerifier.Result {
    let apex = try DNSName(origin)
    let records = try DNSZoneFileParser.parse(path: path, origin: apex)
    return await DNSZoneVerifier.verify(records, origin: apex, now: fixture.now, window: Int64(days) * 86400)
  }

  @Test("same verdict as ldns-verify-zone and dnssec-verify, now and for 7 days", arguments: zones)
  func agree(label: String) async throws {
    let origin = "\(label).infraspec.test"
    let path = "\(fixture.directory)/zones/\(origin).signed"
    let now = try await verify(path, origin: origin)
    let ldns = await DNSFixture.runOffPool(["ldns-verify-zone", path])
    let bind = await DNSFixture.runOffPool(["dnssec-verify", "-q", "-z", "-o", origin, path])
    let problems = now.findings.filter { !$0.passed }.map(\.message)
    #expect(now.passed == (ldns.status == 0), "InfraSpec: \(problems); ldns: \(ldns.output)")
    #expect(now.passed == (bind.status == 0), "InfraSpec: \(problems); dnssec-verify: \(bind.output)")
    let week = try await verify(path, origin: origin, days: 7)
    let ldnsWeek = await DNSFixture.runOffPool(["ldns-verify-zone", "-e", "P7D", path])
    #expect(
      week.passed == (ldnsWeek.status == 0), "\(week.findings.filter { !$0.passed }); \(ldnsWeek.output)")
  }

  @Test("relative names and parentheses, as named-compilezone writes them, read the same")
  func relativeStyle() async throws {
    let origin = "alg8.infraspec.test"
    let relative = "\(fixture.directory)/alg8.relative"
    let compiled = await DNSFixture.runOffPool([
      "named-compilezone", "-q", "-s", "relative", "-o", relative, origin,
      "\(fixture.directory)/zones/\(origin).signed",
    ])
    #expect(compiled.status == 0, "\(compiled.output)")
    let full = try DNSZoneFileParser.parse(
      path: "\(fixture.directory)/zones/\(origin).signed", origin: try DNSName(origin))
    let parsed = try DNSZoneFileParser.parse(path: relative, origin: try DNSName(origin))
    #expect(Set(parsed) == Set(full))
    #expect(try await verify(relative, origin: origin).passed)
  }

  @Test("infraspec zone verify: exit codes like run's, one line per problem")
  func command() throws {
    let root = try CLI.workspace([:])
    let zones = "\(fixture.directory)/zones"
    let good = try CLI.run(
      ["zone", "verify", "\(zones)/alg13.infraspec.test.signed", "--valid-for", "7d"], in: root)
    #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
    #expect(good.stdout.contains("alg13.infraspec.test verifies: 22 RRsets at 15 names"), "\(good.stdout)")
    let soon = try CLI.run(
      ["zone", "verify", "\(zones)/soon.infraspec.test.signed", "--valid-for", "7d"], in: root)
    #expect(soon.status == 1, "\(soon.stdout)")
    #expect(
      soon.stdout.contains("expires \(fixture["SOON_DAY"]), before the 7 days wanted"), "\(soon.stdout)")
    let anchored = try CLI.run(
      ["zone", "verify", "\(zones)/infraspec.test.signed", "--anchor", fixture["PARENT_DS"]], in: root)
    #expect(anchored.status == 0, "\(anchored.stdout)\(anchored.stderr)")
    let wrongAnchor = try CLI.run(
      [
        "zone", "verify", "\(zones)/alg13.infraspec.test.signed", "--origin", "alg13.infraspec.test",
        "--anchor", "\(fixture.directory)/anchors.conf",
      ], in: root)
    #expect(wrongAnchor.status == 1, "\(wrongAnchor.stdout)")
    #expect(wrongAnchor.stdout.contains("the anchor is for infraspec.test, the zone is alg13.infraspec.test"))
    let ed448 = try CLI.run(["zone", "verify", "\(zones)/ed448.chain.infraspec.test.signed"], in: root)
    #expect(ed448.status == 2 && ed448.stdout.contains("indeterminate"), "\(ed448.stdout)")
    let missing = try CLI.run(["zone", "verify", "\(zones)/nothere.signed"], in: root)
    #expect(missing.status == 2, "\(missing.stdout)")
    let usage = try CLI.run(
      ["zone", "verify", "\(zones)/soon.infraspec.test.signed", "--valid-for", "soon"], in: root)
    #expect(usage.status == 64, "\(usage.stdout)")
  }
}

/// Malformed zone files: a clear error with file and line, never a crash.
@Suite("zone file parser errors")
struct ZoneFileParserTests {
  func folder(_ files: [String: String]) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "zonefile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for (name, text) in files {
      try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return directory.path
  }

  func error(_ text: String) -> String {
    do {
      _ = try DNSZoneFileParser.parse(text: text, origin: try DNSName("example.com"), name: "x.zone")
      return "no error"
    } catch let error as DNSZoneFileParser.ParseError {
      return error.description
    } catch {
      return "\(error)"
    }
  }

  static let head = "$TTL 300\n@ IN SOA ns hostmaster 1 7200 3600 1209600 300\n"

  @Test("syntax errors name the line")
  func syntax() {
    #expect(error(Self.head + "www IN A 192.0.2.300\n") == "x.zone:3: not an IPv4 address: 192.0.2.300")
    #expect(
      error(Self.head + "www IN BOGUS 1\n")
        == "x.zone:3: no record type (A, NS, DNSKEY, …) in this line: BOGUS")
    #expect(error(Self.head + "www IN MX ten mail\n") == "x.zone:3: MX: a preference is not a number: ten")
    #expect(error(Self.head + "www IN A (192.0.2.1\n") == "x.zone:3: '(' is never closed")
    #expect(error(Self.head + "www IN TXT \"open\n") == "x.zone:4: a quoted string is not closed")
    #expect(
      error("www IN A 192.0.2.1\n") == "x.zone:1: no TTL: give one in the record or a $TTL line before it")
    #expect(error(Self.head + "$BOGUS x\n").hasPrefix("x.zone:3: unknown directive $BOGUS"))
  }

  @Test("a 10 MB RDATA is refused with its line, quickly")
  func hugeRData() {
    let tooLong =
      "x.zone:3: this record is more than 266236 bytes of text, more than the 65535 bytes of RDATA a record can hold"
    let strings = Array(repeating: "\"" + String(repeating: "x", count: 255) + "\"", count: 40_000)
    #expect(error(Self.head + "big IN TXT " + strings.joined(separator: " ") + "\n") == tooLong)
    #expect(
      error(Self.head + "big IN TXT \"" + String(repeating: "y", count: 10_000_000) + "\"\n") == tooLong)
    let justOver = Array(repeating: "\"" + String(repeating: "x", count: 255) + "\"", count: 300)
    #expect(
      error(Self.head + "big IN TXT " + justOver.joined(separator: " ") + "\n")
        == "x.zone:3: the TXT RDATA is 76800 bytes, more than the 65535 a record can hold")
  }

  @Test("$INCLUDE inside the zone's folder works; outside it, as /etc/shadow or ../, is refused")
  func include() throws {
    let directory = try folder([
      "main.zone": Self.head + "$INCLUDE part.zone\n$INCLUDE /etc/shadow\n",
      "part.zone": "www 300 IN A 192.0.2.1\n",
      "ok.zone": Self.head + "$INCLUDE part.zone\n",
      "up.zone": Self.head + "$INCLUDE ../up.zone\n",
    ])
    let origin = try DNSName("example.com")
    let records = try DNSZoneFileParser.parse(path: "\(directory)/ok.zone", origin: origin)
    #expect(records.map(\.name.text) == ["example.com", "www.example.com"])
    #expect(throws: DNSZoneFileParser.ParseError.self) {
      try DNSZoneFileParser.parse(path: "\(directory)/main.zone", origin: origin)
    }
    do {
      _ = try DNSZoneFileParser.parse(path: "\(directory)/main.zone", origin: origin)
    } catch {
      #expect(
        error.description.hasPrefix(
          "\(directory)/main.zone:4: $INCLUDE /etc/shadow is outside the zone file's folder"))
    }
    #expect(throws: DNSZoneFileParser.ParseError.self) {
      try DNSZoneFileParser.parse(path: "\(directory)/up.zone", origin: origin)
    }
  }

  @Test("TTL units, generic RDATA, escapes and continuation lines")
  func forms() throws {
    let records = try DNSZoneFileParser.parse(
      text: Self.head
        + "www 1h30m IN A 192.0.2.1\n  IN TYPE65280 \\# 3 abcdef\nt IN TXT \"a\\\"b\" c\\059d\n",
      origin: try DNSName("example.com"))
    #expect(records[1].ttl == 5400)
    #expect(records[2].name.text == "www.example.com")
    #expect(records[2].rdata == .unknown([0xAB, 0xCD, 0xEF]))
    #expect(records[3].rdata == .txt([Array("a\"b".utf8), Array("c;d".utf8)]))
  }
}
