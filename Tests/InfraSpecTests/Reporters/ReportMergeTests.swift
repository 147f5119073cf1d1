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

@Suite("report merge")
struct ReportMergeTests {
  /// `ReportMerge.merge` into one reporter writing to a file; returns what it wrote.
  static func merge(
    _ paths: [String], _ make: (InfraSpec.OutputStream) -> any Reporter
  ) throws -> (output: String, summary: Summary) {
    let path = NSTemporaryDirectory() + "infraspec-merged-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let stream = try InfraSpec.OutputStream.file(atPath: path)
    defer { close(stream.descriptor) }
    let merged = try ReportMerge.merge(paths: paths) { [make(stream)] }
    return (try String(contentsOfFile: path, encoding: .utf8), merged.summary)
  }

  /// lax1 and lax2 of `ReportFixtures.mixed`, each saved by its own shard's run.
  static func shards() throws -> [String] {
    let first = ReportFixtures.mixed.filter { host(of: $0.0) != "lax2" }
    let second = ReportFixtures.mixed.filter { host(of: $0.0) != "lax1" }
    return try [first, second].map { events in
      let hosts = events.compactMap { host(of: $0.0) }.reduce(into: [String]()) {
        if !$0.contains($1) { $0.append($1) }
      }
      let shard = ReportFixtures.run(hosts: hosts, events.filter { host(of: $0.0) != nil })
      return try ReportFixtures.temporaryFile(
        try ReportFixtures.render(shard) { JSONReporter(output: $0) }, suffix: ".json")
    }
  }

  private static func host(of event: Event) -> String? {
    switch event {
    case .hostStarted(let host, _), .hostFailed(let host, _), .hostFinished(let host, _),
      .hostFleetValues(let host, _):
      host
    case .checkFinished(let result): result.host
    case .runStarted, .runFinished, .runAborted, .fleetCheckFinished: nil
    }
  }

  @Test("two shards merge into the report one run over both hosts would have written")
  func shardsMerge() throws {
    let paths = try Self.shards()
    defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
    for make in [{ JUnitReporter(output: $0) }, { TAPReporter(output: $0) }]
      as [(InfraSpec.OutputStream) -> any Reporter]
    {
      let merged = try Self.merge(paths, make)
      #expect(merged.output == (try ReportFixtures.render(ReportFixtures.mixed, make)))
      #expect(merged.summary.line == "1 passed, 1 failed, 2 could not check, 1 skipped")
    }
  }

  @Test("a merged fleet's TAP subtests satisfy prove")
  func mergedTAPSatisfiesProve() async throws {
    let paths = try Self.shards()
    defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
    let tap = try Self.merge(paths) { TAPReporter(output: $0) }.output
    #expect(tap.hasPrefix("TAP version 13\n# Subtest: lax1\n") && tap.contains("\n1..2\n"), "\(tap)")
    let failing = try await offPool { try Prove.check(tap) }
    #expect(failing.status != 0 && failing.output.contains("Failed 2/2 subtests"), "\(failing.output)")
    #expect(!failing.output.contains("Parse errors"), "\(failing.output)")

    let passing = ReportFixtures.run(
      hosts: ["lax1", "lax2"],
      ReportFixtures.host("lax1", at: 0, [ReportFixtures.result(host: "lax1", number: 1)])
        + ReportFixtures.host("lax2", at: 0, [ReportFixtures.result(host: "lax2", number: 1)]))
    let saved = try ReportFixtures.temporaryFile(
      try ReportFixtures.render(passing) { JSONReporter(output: $0) }, suffix: ".json")
    defer { try? FileManager.default.removeItem(atPath: saved) }
    let merged = try Self.merge([saved]) { TAPReporter(output: $0) }.output
    let passed = try await offPool { try Prove.check(merged) }
    #expect(passed.status == 0 && passed.output.contains("Result: PASS"), "\(passed.output)")
  }

  @Test("merged times run from the earliest start to the latest end")
  func mergedTimes() throws {
    var early = RunRecord()
    early.started = ReportFixtures.time(0)
    early.durationMilliseconds = 1000
    early.checksPerHost = 3
    var late = RunRecord()
    late.started = ReportFixtures.time(500)
    late.durationMilliseconds = 2000
    late.checksPerHost = 4
    let merged = try ReportMerge.merged([("late.json", late), ("early.json", early)])
    #expect(merged.started == ReportFixtures.time(0))
    #expect(merged.durationMilliseconds == 2500)
    #expect(merged.checksPerHost == 4)
  }

  @Test("a host in two reports is refused, naming both files")
  func duplicateHost() throws {
    let paths = try Self.shards()
    defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
    #expect(
      throws: ReportError(
        .duplicateHost, path: "b.json",
        "host lax1 is in both a.json and b.json: merge each host's results only once")
    ) {
      let record = try ReportMerge.read(paths[0])
      _ = try ReportMerge.merged([("a.json", record), ("b.json", record)])
    }
  }

  @Test(
    "anything but a version 2 InfraSpec report is refused with a message saying what it is",
    arguments: [
      (
        "<testsuites/>",
        "is not an InfraSpec report: it is not a JSON object; write one with `infraspec run --report json=PATH`"
      ),
      (
        "[1, 2]",
        "is not an InfraSpec report: it is not a JSON object; write one with `infraspec run --report json=PATH`"
      ),
      (
        "{\"hosts\": []}",
        "is not an InfraSpec report: it has no \"format\" field, expected \"infraspec-report\"; write one with `infraspec run --report json=PATH`"
      ),
      (
        "{\"format\": \"junit\", \"version\": 1}",
        "is not an InfraSpec report: its format is \"junit\", expected \"infraspec-report\"; write one with `infraspec run --report json=PATH`"
      ),
      (
        "{\"format\": \"infraspec-report\", \"version\": 1}",
        "is an InfraSpec report of version 1; this infraspec reads version 2: merge it with the infraspec that wrote it"
      ),
      (
        "{\"format\": \"infraspec-report\"}",
        "is an InfraSpec report of no version; this infraspec reads version 2: merge it with the infraspec that wrote it"
      ),
      (
        "{\"format\": \"infraspec-report\", \"version\": 2}",
        "is a damaged InfraSpec report: started: the field is missing"
      ),
      (
        "{\"format\": \"infraspec-report\", \"version\": 2, \"started\": \"yesterday\"}",
        "is a damaged InfraSpec report: started: expected a UTC time like 2026-11-29T17:01:11.123Z, got yesterday"
      ),
    ])
  func refused(content: String, message: String) throws {
    let path = try ReportFixtures.temporaryFile(content, suffix: ".json")
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect {
      _ = try ReportMerge.read(path)
    } throws: { error in
      (error as? ReportError)?.message == "\(path) \(message)"
    }
  }

  @Test("a damaged duration is refused before any reporter sees it")
  func damagedDuration() throws {
    let json = try ReportFixtures.render(ReportFixtures.mixed) { JSONReporter(output: $0) }
    let path = try ReportFixtures.temporaryFile(
      json.replacingOccurrences(
        of: "\"durationMilliseconds\" : 1500.4", with: "\"durationMilliseconds\" : -1"),
      suffix: ".json")
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(
      throws: ReportError(
        .notAReport, path: path,
        "\(path) is a damaged InfraSpec report: hosts[0].results[1].durationMilliseconds is not a duration in milliseconds"
      )
    ) {
      _ = try ReportMerge.read(path)
    }
  }

  @Test("a missing report says so")
  func missing() {
    #expect(
      throws: ReportError(.cannotRead, path: "nope/a.json", "cannot read report nope/a.json: no such file")
    ) {
      _ = try ReportMerge.read("nope/a.json")
    }
  }
}
