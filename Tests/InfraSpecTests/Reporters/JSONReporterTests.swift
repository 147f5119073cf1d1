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

@Suite("JSON reporter")
struct JSONReporterTests {
  @Test("one small run gives exactly this versioned document")
  func golden() throws {
    let events = ReportFixtures.run(
      hosts: ["lax1"],
      ReportFixtures.host(
        "lax1", at: 5,
        [ReportFixtures.result(host: "lax1", number: 1, outcome: .failed(expected: "9000", actual: "1500"))]),
      duration: 1500)
    let json = try ReportFixtures.render(events) { JSONReporter(output: $0) }
    // The layout is Foundation's; what is pinned is every field's name, type and value.
    let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary
    let expected =
      try JSONSerialization.jsonObject(
        with: Data(
          """
          {
            "format": "infraspec-report", "version": 2, "started": "2026-11-29T17:00:00.000Z",
            "durationMilliseconds": 1500, "checksPerHost": 4, "fleet": [], "interrupted": false,
            "summary": {"passed": 0, "failed": 1, "couldNotCheck": 0, "skipped": 0},
            "hosts": [{
              "name": "lax1", "started": "2026-11-29T17:00:00.005Z", "finished": "2026-11-29T17:00:01.239Z",
              "profile": {"family": "debian", "osName": "Debian GNU/Linux 12 (bookworm)",
                          "serviceManager": "systemd", "initProcess": "systemd"},
              "summary": {"passed": 0, "failed": 1, "couldNotCheck": 0, "skipped": 0},
              "results": [{
                "host": "lax1", "number": 1, "groups": ["edge PoP", "network"], "subject": "interface eth0",
                "property": "mtu", "title": "mtu 9000", "tags": [],
                "location": {"file": "Specs/pop.swift", "line": 12, "column": 5},
                "outcome": {"failed": {"expected": "9000", "actual": "1500"}},
                "probes": ["ip -j link show dev eth0"], "durationMilliseconds": 12
              }]
            }]
          }
          """.utf8)) as? NSDictionary
    #expect(parsed == expected, "\(json)")
    #expect(json.hasSuffix("}\n") && !json.contains("\\/"))
  }

  @Test("a saved report replays into the same TAP, human view, JUnit and JSON as the live run")
  func replayMatchesLiveRun() throws {
    let saved = try ReportFixtures.temporaryFile(
      try ReportFixtures.render(ReportFixtures.mixed) { JSONReporter(output: $0) }, suffix: ".json")
    defer { try? FileManager.default.removeItem(atPath: saved) }
    let makers: [(String, (InfraSpec.OutputStream) -> any Reporter)] = [
      ("tap", { TAPReporter(output: $0) }), ("human", { HumanReporter(output: $0, color: false) }),
      ("junit", { JUnitReporter(output: $0) }), ("json", { JSONReporter(output: $0) }),
      ("github", { GitHubReporter(output: $0, stepSummaryPath: nil) }),
    ]
    for (format, make) in makers {
      let live = try ReportFixtures.render(ReportFixtures.mixed, make)
      let replayed = try ReportMergeTests.merge([saved], make)
      #expect(replayed.output == live, "\(format)")
      #expect(replayed.summary.exitCode == .checkFailed)
    }
  }
}
