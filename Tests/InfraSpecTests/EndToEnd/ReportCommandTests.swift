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

/// The built `infraspec` binary writing report files and merging them.
@Suite("infraspec report files and merge", .serialized)
struct ReportCommandTests {
  /// Two shard reports of `ReportFixtures.mixed` in a fresh folder, as `a.json` and `b.json`.
  private static func shardFolder() throws -> URL {
    let root = try CLI.workspace([:])
    for (index, path) in try ReportMergeTests.shards().enumerated() {
      try FileManager.default.moveItem(
        atPath: path, toPath: root.appendingPathComponent(index == 0 ? "a.json" : "b.json").path)
    }
    return root
  }

  @Test("merge writes the chosen format on stdout and --report files, and exits like the run")
  func merge() throws {
    let root = try Self.shardFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let result = try CLI.run(
      [
        "report", "merge", "a.json", "b.json", "--format", "junit", "--report", "tap=out/merged.tap",
        "--report", "json=out/merged.json",
      ],
      in: root)
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.isEmpty)
    #expect(result.stdout == (try ReportFixtures.render(ReportFixtures.mixed) { JUnitReporter(output: $0) }))
    let tap = try String(contentsOf: root.appendingPathComponent("out/merged.tap"), encoding: .utf8)
    #expect(tap == (try ReportFixtures.render(ReportFixtures.mixed) { TAPReporter(output: $0) }))

    let saved = try String(contentsOf: root.appendingPathComponent("out/merged.json"), encoding: .utf8)
    let again = try CLI.run(["report", "merge", "out/merged.json", "--format", "json"], in: root)
    #expect(again.status == 1)
    #expect(again.stdout == saved)
    // A merge may write over its own input: the reports are read before any output file is emptied.
    let inPlace = try CLI.run(
      ["report", "merge", "out/merged.json", "--format", "tap", "--report", "json=out/merged.json"], in: root)
    #expect(inPlace.status == 1, "\(inPlace.stderr)")
    #expect(
      (try String(contentsOf: root.appendingPathComponent("out/merged.json"), encoding: .utf8)) == saved)
  }

  @Test("merge refuses what it cannot merge with exit 64 and a message")
  func refusals() throws {
    let root = try Self.shardFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    try "<testsuites/>".write(to: root.appendingPathComponent("junit.xml"), atomically: true, encoding: .utf8)
    let cases: [([String], String)] = [
      (
        ["report", "merge", "junit.xml"],
        "infraspec: junit.xml is not an InfraSpec report: it is not a JSON object; "
          + "write one with `infraspec run --report json=PATH`\n"
      ),
      (
        ["report", "merge", "a.json", "a.json"],
        "infraspec: host lax1 is in both a.json and a.json: merge each host's results only once\n"
      ),
      (["report", "merge", "missing.json"], "infraspec: cannot read report missing.json: no such file\n"),
    ]
    for (arguments, message) in cases {
      let result = try CLI.run(arguments, in: root)
      #expect(result.status == 64, "\(arguments)")
      #expect(result.stderr == message)
      #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
    }
    for arguments in [
      ["report", "merge"], ["report", "merge", "a.json", "--report", "xml=out.xml"],
      ["report", "merge", "a.json", "--report", "junit=x.xml", "--report", "tap=x.xml"],
      ["report", "merge", "a.json", "--format", "xml"], ["run", "--report", "junit"],
    ] {
      let result = try CLI.run(arguments, in: root)
      #expect(result.status == 64, "\(arguments)")
    }
    let bad = try CLI.run(["report", "merge", "a.json", "--report", "xml=out.xml"], in: root)
    #expect(
      bad.stderr.contains(
        "--report wants FORMAT=PATH with FORMAT one of tap, human, junit, junit-strict, json, github, not xml=out.xml"
      ),
      "\(bad.stderr)")
  }

  @Test(
    "run writes GitHub annotations, a job summary, JUnit that both schemas accept, and JSON that merges",
    .enabled(if: JUnitSchemas.availableOrRequired))
  func runWritesReports() throws {
    let root = try CLI.workspace([
      "fail.swift": """
      import InfraSpec

      describe("files") {
        File("/etc/passwd").mode(0o600)
        File("/etc/passwd").owner("root")
      }
      """
    ])
    defer { try? FileManager.default.removeItem(at: root) }
    let summaryPath = root.appendingPathComponent("step-summary.md").path
    let result = try CLI.run(
      [
        "run", "--format", "github", "--report", "junit-strict=out/junit.xml", "--report",
        "json=out/run.json",
        "--report", "junit=out/lined.xml",
      ],
      in: root, environment: ["GITHUB_STEP_SUMMARY": summaryPath])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(
      result.stdout.hasPrefix(
        "::error file=Specs/fail.swift,line=4,col=27,title=localhost › files › file /etc/passwd%3A mode 0600"
          + "::file /etc/passwd: mode: expected 0600, got 0644\n1 passed, 1 failed, 0 could not check, 0 skipped in "
      ),
      "\(result.stdout)")
    let summary = try String(contentsOfFile: summaryPath, encoding: .utf8)
    #expect(summary.contains("| localhost | 1 | 1 | 0 | 0 |\n"), "\(summary)")
    #expect(
      summary.contains(
        "- **localhost** Specs/fail.swift:4:27: file /etc/passwd: mode: expected 0600, got 0644\n"))

    let junit = try String(contentsOf: root.appendingPathComponent("out/junit.xml"), encoding: .utf8)
    #expect(try JUnitSchemas.validate(junit) == JUnitReporterTests.bothValidate, "\(junit)")
    #expect(
      junit.contains("<failure message=\"file /etc/passwd: mode: expected 0600, got 0644\" type=\"failed\">"))
    // The default JUnit links each case to its spec line.
    let lined = try String(contentsOf: root.appendingPathComponent("out/lined.xml"), encoding: .utf8)
    #expect(lined.contains("classname=\"localhost.files\""), "\(lined)")
    #expect(lined.contains(" file=\"Specs/fail.swift\" line=\"4\">"), "\(lined)")

    let merged = try CLI.run(["report", "merge", "out/run.json", "--format", "tap"], in: root)
    #expect(merged.status == 1)
    #expect(merged.stdout.hasPrefix("TAP version 13\n# localhost: "), "\(merged.stdout)")
    #expect(merged.stdout.contains("not ok 1 - files › file /etc/passwd: mode 0600\n"))
    let prove = try Prove.check(merged.stdout)
    #expect(prove.status != 0 && prove.output.contains("Failed 1/2 subtests"), "\(prove.output)")
    #expect(!prove.output.contains("Parse errors"), "\(prove.output)")
  }
}
