import Foundation
import Testing

@_spi(Runner) @testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// How every report ends a run that stopped early, and what other programs make of it.
@Suite("run endings in reports")
struct RunEndingTests {
  @Test("an interrupted run's TAP reports what finished, then bails out: every consumer fails it")
  func interruptedTAP() async throws {
    for hosts in [["lax1"], ["lax1", "lax2"]] {
      let tap = try ReportFixtures.render(ReportFixtures.interrupted(hosts: hosts)) {
        TAPReporter(output: $0)
      }
      let unfinished = hosts.count == 1 ? "1 check" : "3 checks"
      #expect(tap.hasSuffix("Bail out! interrupted by SIGINT; \(unfinished) did not finish\n"), "\(tap)")
      #expect(
        tap.contains("ok 2 - edge PoP › network › interface eth0: check 3\n"),
        "finished after a slow one: \(tap)")
      #expect(!tap.contains("\n1..2\n# ") && !tap.hasSuffix("1..2\n"))
      for verdict in try await TAPConsumers.judgeOffPool(tap) {
        #expect(!verdict.passed && verdict.bailedOut && !verdict.parseError, "\(verdict)")
      }
    }
  }

  @Test("a finished run's TAP ends with its plan, nothing after it; all three consumers read every shape")
  func finishedTAP() async throws {
    let single = ReportFixtures.run(
      hosts: ["lax1"], ReportFixtures.host("lax1", at: 0, [ReportFixtures.result(host: "lax1", number: 1)]))
    let fleetResult = ReportFixtures.result(
      host: "fleet", number: 0, groups: [], subject: "interface eth0 mac", title: "is unique per host")
    var fleet = ReportFixtures.run(
      hosts: ["lax1", "lax2"],
      ReportFixtures.host("lax1", at: 0, [ReportFixtures.result(host: "lax1", number: 1)])
        + ReportFixtures.host("lax2", at: 0, [ReportFixtures.result(host: "lax2", number: 1)]))
    fleet.insert((.fleetCheckFinished(fleetResult), ReportFixtures.time(1500)), at: fleet.count - 1)
    for events in [single, fleet] {
      let tap = try ReportFixtures.render(events) { TAPReporter(output: $0) }
      #expect(tap.hasSuffix(" s\n1..\(events.count == 5 ? 1 : 3)\n"), "\(tap)")
      for verdict in try await TAPConsumers.judgeOffPool(tap) {
        #expect(verdict.passed && !verdict.parseError, "\(verdict)")
      }
    }
    let mixed = try ReportFixtures.render(ReportFixtures.mixed) { TAPReporter(output: $0) }
    for verdict in try await TAPConsumers.judgeOffPool(mixed) {
      #expect(!verdict.passed && !verdict.parseError, "\(verdict)")
    }
  }

  @Test("an interrupted run's JUnit lists every unfinished check as an error: counts add up to the plan")
  func interruptedJUnit() async throws {
    let xml = try ReportFixtures.render(ReportFixtures.interrupted()) { JUnitReporter(output: $0) }
    #expect(
      xml.contains("name=\"lax1\" package=\"lax1\" id=\"0\" tests=\"3\" failures=\"0\" errors=\"1\""),
      "\(xml)")
    #expect(
      xml.contains("name=\"lax2\" package=\"lax2\" id=\"1\" tests=\"3\" failures=\"0\" errors=\"2\""),
      "\(xml)")
    #expect(xml.contains("did not finish: interrupted by SIGINT"))
    if JUnitSchemas.availableOrRequired {
      let strict = try ReportFixtures.render(ReportFixtures.interrupted()) {
        JUnitReporter(output: $0, strict: true)
      }
      let verdicts = try await offPool { try JUnitSchemas.validate(strict) }
      #expect(verdicts == JUnitReporterTests.bothValidate)
    }
  }

  @Test("an interrupted run's JSON says interrupted and lists the unfinished checks")
  func interruptedJSON() throws {
    let json = try ReportFixtures.render(ReportFixtures.interrupted()) { JSONReporter(output: $0) }
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(object["interrupted"] as? Bool == true)
    let abort = try #require(object["abort"] as? [String: Any])
    #expect(abort["kind"] as? String == "interrupted")
    #expect((abort["unfinished"] as? [Any])?.count == 3)
    #expect(object["version"] as? Int == 2)
  }

  @Test("merging an interrupted report fails with its exit code and names the file")
  func mergeInterrupted() throws {
    let path = try ReportFixtures.temporaryFile(
      try ReportFixtures.render(ReportFixtures.interrupted()) { JSONReporter(output: $0) }, suffix: ".json")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try ReportMerge.merge(paths: [path]) { [] }
    #expect(result.exitCode == .interrupted)
    #expect(result.incomplete == ["\(path): interrupted by SIGINT; 3 checks did not finish"])
  }

  @Test("merge recounts verdicts from the results, not from a stored summary")
  func mergeRecounts() throws {
    let json = try ReportFixtures.render(ReportFixtures.mixed) { JSONReporter(output: $0) }
    // A report whose summary claims everything passed.
    var object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    object["summary"] = ["passed": 5, "failed": 0, "couldNotCheck": 0, "skipped": 0]
    let lying = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    let path = try ReportFixtures.temporaryFile(lying, suffix: ".json")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try ReportMerge.merge(paths: [path]) { [] }
    #expect(result.exitCode == .checkFailed)
    #expect(result.summary.line == "1 passed, 1 failed, 2 could not check, 1 skipped")
  }

  @Test("nothing checked is its own exit code; a failure or could-not-check outranks it")
  func nothingChecked() {
    var summary = Summary()
    #expect(summary.exitCode == .nothingChecked && ExitCode.nothingChecked.rawValue == 3)
    summary.skipped = 2
    #expect(summary.exitCode == .nothingChecked)
    summary.passed = 1
    #expect(summary.exitCode == .success)
  }

  static let hostile = "lax1\u{1b}]0;PWNED\u{07}\u{1b}[2J"

  @Test("escapes from a host or a spec never reach a terminal, a TAP line, YAML, XML, JSON or annotations")
  func escapes() throws {
    let result = ReportFixtures.result(
      host: Self.hostile, number: 1, groups: [Self.hostile], subject: "file \(Self.hostile)",
      outcome: .failed(expected: Self.hostile, actual: Self.hostile))
    let events = ReportFixtures.run(
      hosts: [Self.hostile, "b"],
      ReportFixtures.host(Self.hostile, at: 0, [result])
        + ReportFixtures.unreachable("b", at: 0, reason: Self.hostile))
    let makers: [(String, (InfraSpec.OutputStream) -> any Reporter)] = [
      ("human", { HumanReporter(output: $0, color: false, progress: $0) }),
      ("human colour", { HumanReporter(output: $0, color: true, progress: $0) }),
      ("tap", { TAPReporter(output: $0) }), ("junit", { JUnitReporter(output: $0) }),
      ("json", { JSONReporter(output: $0) }),
      ("github", { GitHubReporter(output: $0, stepSummaryPath: nil) }),
    ]
    for (name, make) in makers {
      let text = try ReportFixtures.render(events, make)
      // Colour codes are ours: ESC [ digits m only.
      let withoutColour = text.replacingOccurrences(
        of: #"\u{1B}\[[0-9;]*m"#, with: "", options: .regularExpression)
      #expect(!withoutColour.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, "\(name): \(text)")
      #expect(text.contains("PWNED"), "\(name) still shows the value")
    }
    #expect(TAPReporter.escape(Self.hostile) == #"lax1\u{1B}]0;PWNED\u{7}\u{1B}[2J"#)
  }

  @Test("a report whose writes fail is removed, never left half-written, and the failure is remembered")
  func failedWrite() throws {
    let path = NSTemporaryDirectory() + "infraspec-failed-\(UUID().uuidString).json"
    try "old".write(toFile: path, atomically: true, encoding: .utf8)
    let stream = try InfraSpec.OutputStream.file(atPath: path)
    defer { close(stream.descriptor) }
    // The disk fills up under the report.
    let full = open("/dev/full", O_WRONLY)
    dup2(full, stream.descriptor)
    close(full)
    stream.write("{\"half\":")
    stream.finish()
    #expect(!FileManager.default.fileExists(atPath: path))
    #expect(!FileManager.default.fileExists(atPath: "\(path).tmp-\(getpid())"))
    #expect(InfraSpec.OutputStream.failures.contains("cannot write report \(path): No space left on device"))
  }

  @Test("one cause on a host (a lost connection) is one GitHub warning, not one per check")
  func oneWarningPerCause() throws {
    let results = (1...5).map { number in
      ReportFixtures.result(
        host: "lax1", number: number, line: number, outcome: .couldNotCheck(reason: "connection lost: EOF"))
    }
    let output = try ReportFixtures.render(
      ReportFixtures.run(hosts: ["lax1"], ReportFixtures.host("lax1", at: 0, results))
    ) { GitHubReporter(output: $0, stepSummaryPath: nil) }
    let warnings = output.split(separator: "\n").filter { $0.hasPrefix("::warning") }
    #expect(warnings.count == 1, "\(output)")
    #expect(
      warnings.first?.hasSuffix("::lax1: 5 checks could not check: connection lost: EOF") == true, "\(output)"
    )
  }
}
