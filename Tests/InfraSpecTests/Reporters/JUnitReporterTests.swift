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

@Suite("JUnit reporter")
struct JUnitReporterTests {
  @Test("a run with every verdict and an unreachable host gives exactly this document")
  func golden() throws {
    let xml = try ReportFixtures.render(ReportFixtures.mixed) { JUnitReporter(output: $0) }
    #expect(
      xml == """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites>
          <testsuite name="lax1" package="lax1" id="0" tests="4" failures="1" errors="1" skipped="1" \
        time="1.234" timestamp="2026-11-29T17:00:00" hostname="lax1">
            <properties>
              <property name="os" value="Debian GNU/Linux 12 (bookworm)"/>
              <property name="family" value="debian"/>
              <property name="service-manager" value="systemd"/>
            </properties>
            <testcase name="interface eth0: is up" classname="lax1.edge PoP › network" time="0.012" \
        file="Specs/pop.swift" line="10"/>
            <testcase name="interface eth0: mtu 9000" classname="lax1.edge PoP › network" time="1.500" \
        file="Specs/pop.swift" line="11">
              <failure message="interface eth0: mtu: expected 9000, got 1500" type="failed">wanted: 9000
        found: 1500
        at: Specs/pop.swift:11:5
        host: lax1
        probe: ip -j link show dev eth0
        </failure>
            </testcase>
            <testcase name="service nginx: is running" classname="lax1.edge PoP › services" time="0.012" \
        file="Specs/pop.swift" line="20">
              <error message="service nginx: running: could not check: command not found on host: systemctl" \
        type="could not check">reason: command not found on host: systemctl
        at: Specs/pop.swift:20:5
        host: lax1
        probe: ip -j link show dev eth0
        </error>
            </testcase>
            <testcase name="package nginx: version &gt;= 1.22" classname="lax1.checks" time="0.012" \
        file="Specs/pop.swift" line="30">
              <skipped message="package nginx is not installed"/>
            </testcase>
            <system-out/>
            <system-err/>
          </testsuite>
          <testsuite name="lax2" package="lax2" id="1" tests="1" failures="0" errors="1" skipped="0" \
        time="0.000" timestamp="2026-11-29T17:00:00" hostname="lax2">
            <properties/>
            <testcase name="could not check the host" classname="lax2.checks" time="0.000">
              <error message="connection refused by 192.0.2.2 port 22" type="could not check">\
        lax2: could not check: connection refused by 192.0.2.2 port 22</error>
            </testcase>
            <system-out/>
            <system-err/>
          </testsuite>
        </testsuites>

        """)
  }

  @Test(
    "the document validates against the Jenkins xUnit and Ant JUnit schemas",
    .enabled(if: JUnitSchemas.availableOrRequired))
  func validatesMixed() throws {
    let xml = try ReportFixtures.render(ReportFixtures.mixed) { JUnitReporter(output: $0, strict: true) }
    #expect(try JUnitSchemas.validate(xml) == Self.bothValidate)
    // The default adds file and line, which the schemas do not know, and nothing else.
    let lined = try ReportFixtures.render(ReportFixtures.mixed) { JUnitReporter(output: $0) }
    let stripped = lined.replacingOccurrences(
      of: #" file="[^"]*" line="[0-9]+""#, with: "", options: .regularExpression)
    #expect(stripped == xml && lined != xml)
  }

  static let bothValidate = Dictionary(uniqueKeysWithValues: JUnitSchemas.names.map { ($0, "validates") })

  /// Quotes, markup, newlines, every C0 control, emoji and the two non-characters XML forbids.
  static let hostile =
    "a \"quoted\" 'name' <tag> & ]]> --\n\r\tline2 \u{0}\u{1}\u{7}\u{B}\u{C}\u{1B}[31m\u{7F} 🦩👩‍👩‍👧 \u{FFFE}\u{FFFF}"

  @Test(
    "hostile names, values and host names stay data and the document still validates",
    .enabled(if: JUnitSchemas.availableOrRequired))
  func hostileText() throws {
    let host = "pop<1>&\"" + Self.hostile
    let events = ReportFixtures.run(
      hosts: [host, " ", "lax3"],
      ReportFixtures.host(
        host, at: 0,
        [
          ReportFixtures.result(
            host: host, number: 1, groups: [Self.hostile], subject: Self.hostile, title: Self.hostile),
          ReportFixtures.result(
            host: host, number: 2, groups: [], subject: Self.hostile, property: Self.hostile,
            title: Self.hostile,
            outcome: .failed(expected: Self.hostile, actual: Self.hostile), milliseconds: -3),
          ReportFixtures.result(
            host: host, number: 3, subject: Self.hostile, outcome: .couldNotCheck(reason: Self.hostile),
            milliseconds: .nan),
          ReportFixtures.result(
            host: host, number: 4, outcome: .skipped(reason: Self.hostile), milliseconds: 1e20),
        ])
        + ReportFixtures.unreachable(" ", at: 1, reason: Self.hostile)
        + ReportFixtures.unreachable("lax3", at: 2, reason: Self.hostile))
    let xml = try ReportFixtures.render(events) { JUnitReporter(output: $0, strict: true) }
    #expect(try JUnitSchemas.validate(xml) == Self.bothValidate, "\(xml)")
    #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })

    // What a consumer reads back (xmllint adds the last newline): the name exactly, but for the
    // characters XML cannot carry.
    let file = try ReportFixtures.temporaryFile(xml, suffix: ".xml")
    defer { try? FileManager.default.removeItem(atPath: file) }
    let name = try JUnitSchemas.xmllint.run(["--xpath", "string(//testsuite[1]/testcase[2]/@name)", file])
    #expect(
      name == "a \"quoted\" 'name' <tag> & ]]> --\n\r\tline2 ␀␁␇␋␌␛[31m\u{7F} 🦩👩‍👩‍👧 \u{FFFD}\u{FFFD}: "
        + "a \"quoted\" 'name' <tag> & ]]> --\n\r\tline2 ␀␁␇␋␌␛[31m\u{7F} 🦩👩‍👩‍👧 \u{FFFD}\u{FFFD}"
        + " (Specs/pop.swift:12:5, check 2)\n")
  }

  @Test(
    "the schemas are strict: attributes on testsuites and a zoned timestamp are refused",
    .enabled(if: JUnitSchemas.availableOrRequired))
  func schemasRefuse() throws {
    let xml = try ReportFixtures.render(ReportFixtures.mixed) { JUnitReporter(output: $0, strict: true) }
    let zoned = xml.replacingOccurrences(
      of: "timestamp=\"2026-11-29T17:00:00\"", with: "timestamp=\"2026-11-29T17:00:00Z\"")
    #expect(try JUnitSchemas.validate(zoned)["windyroad-ant-junit.xsd"] != "validates")
    let counted = xml.replacingOccurrences(of: "<testsuites>", with: "<testsuites tests=\"5\">")
    #expect(try JUnitSchemas.validate(counted)["windyroad-ant-junit.xsd"] != "validates")
    let grouped = xml.replacingOccurrences(of: "time=\"1.234\"", with: "time=\"1,234.5678\"")
    #expect(try JUnitSchemas.validate(grouped)["jenkins-xunit-junit-10.xsd"] != "validates")
  }

  @Test("no hosts is an empty but valid document", .enabled(if: JUnitSchemas.availableOrRequired))
  func noHosts() throws {
    let xml = try ReportFixtures.render(ReportFixtures.run(hosts: [], [])) { JUnitReporter(output: $0) }
    #expect(xml == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n</testsuites>\n")
    #expect(try JUnitSchemas.validate(xml) == Self.bothValidate)
  }

  @Test(
    "times are plain decimal seconds to the millisecond",
    arguments: [
      (0.0, "0.000"), (0.4, "0.000"), (12, "0.012"), (1500.5, "1.501"), (86_400_000, "86400.000"),
      (-5, "0.000"), (.infinity, "0.000"), (.nan, "0.000"),
    ])
  func seconds(milliseconds: Double, expected: String) {
    #expect(JUnitReporter.seconds(milliseconds) == expected)
  }
}
