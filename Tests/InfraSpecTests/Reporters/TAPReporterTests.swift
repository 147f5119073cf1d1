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

@Suite("TAP reporter")
struct TAPReporterTests {
  static func result(_ outcome: Outcome, host: String = "lax1", title: String = "mtu 9000") -> CheckResult {
    CheckResult(
      host: host, number: 1, groups: ["edge #1"], subject: "interface eth0", property: "mtu", title: title,
      location: SourceLocation(file: "Specs/pop.swift", line: 12, column: 5), tags: [], outcome: outcome,
      probes: ["ip -j addr show"], durationMilliseconds: 3)
  }

  @Test("a description stays on one line and cannot start a directive, CR LF included")
  func escaping() {
    #expect(TAPReporter.escape("a\r\nb\nc\rd # SKIP \\") == "a  b c d \\# SKIP \\\\")
  }

  @Test("a failure is a not-ok test point with YAML diagnostics; # in names is escaped")
  func failure() {
    let text = TAPReporter.testPoint(Self.result(.failed(expected: "9000", actual: "1500")), number: 7)
    #expect(
      text == """
        not ok 7 - edge \\#1 › interface eth0: mtu 9000
          ---
          message: "interface eth0: mtu: expected 9000, got 1500"
          severity: "fail"
          wanted: "9000"
          found: "1500"
          at:
            file: "Specs/pop.swift"
            line: 12
            column: 5
          host: "lax1"
          probe: "ip -j addr show"
          duration_ms: 3
          ...

        """)
  }

  @Test("skips carry the SKIP directive; newlines never split a test line")
  func skipAndNewlines() {
    #expect(
      TAPReporter.testPoint(Self.result(.skipped(reason: "no such\ninterface")), number: 2)
        == "ok 2 - edge \\#1 › interface eth0: mtu 9000 # SKIP no such interface\n")
    #expect(TAPReporter.quoted("a\"b\\c\nd\u{7}") == #""a\"b\\c\nd\x07""#)
  }

  @Test("several hosts become subtests with their own plans, printed whole")
  func subtests() throws {
    let path = NSTemporaryDirectory() + "tap-\(UUID().uuidString)"
    let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
    defer { unlink(path) }
    var reporter = TAPReporter(output: OutputStream(descriptor: descriptor))
    reporter.report(.runStarted(hosts: ["a", "b"], checksPerHost: 1))
    let profile = HostProfile(family: .debian, osName: "Debian", serviceManager: .none, initProcess: "x")
    reporter.report(.hostStarted(host: "a", profile: profile))
    reporter.report(.hostStarted(host: "b", profile: profile))
    reporter.report(.checkFinished(Self.result(.passed, host: "b")))
    reporter.report(.checkFinished(Self.result(.passed, host: "a")))
    reporter.report(.hostFinished(host: "b", summary: Summary()))
    reporter.report(.hostFailed(host: "a", reason: "connection refused"))
    var failed = Summary()
    failed.couldNotCheck = 1
    reporter.report(.hostFinished(host: "a", summary: failed))
    reporter.report(.runFinished(summary: failed, durationMilliseconds: 5))
    close(descriptor)
    let tap = try String(contentsOfFile: path, encoding: .utf8)
    let prove = try Prove.check(tap)
    #expect(
      !prove.output.contains("Parse errors") && prove.output.contains("Failed 1/2 subtests"),
      "\(tap)\n\(prove.output)")
    #expect(
      tap.contains(
        "# Subtest: b\n    # b: Debian\n    ok 1 - edge \\#1 › interface eth0: mtu 9000\n    1..1\nok 1 - b\n"
      ), "\(tap)")
  }
}
