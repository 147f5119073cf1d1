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

@Suite("fleet assertions across shards")
struct FleetMergeTests {
  /// One shard's JSON report: `host` answers `value` for the fleet assertion's probe.
  static func shard(_ shard: String, host: String, value: String, checks: [Check]) async throws -> String {
    let profile = HostProfile.detect(osRelease: "ID=debian\n", initComm: "systemd")
    var answers: [ProbeCommand: CommandOutput] = [
      HostProfile.osReleaseCommand: HostRunnerTests.debian,
      HostProfile.initCommand: CommandOutput(exitStatus: 0, stdout: Array("systemd\n".utf8), stderr: []),
    ]
    for command in try checks[0].plan(profile).commands {
      answers[command] = CommandOutput(exitStatus: 0, stdout: Array("\(value)\n".utf8), stderr: [])
    }
    let target = HostTarget(name: host, groups: ["all"]) { [answers] in .success(CountingTransport(answers)) }
    let path = NSTemporaryDirectory() + "infraspec-shard-\(UUID().uuidString).json"
    let stream = try InfraSpec.OutputStream.file(atPath: path)
    defer { close(stream.descriptor) }
    var reporters: [any Reporter] = [JSONReporter(output: stream)]
    let run = SpecRun(checks: checks, targets: [target], options: RunOptions(), jobs: 1, shard: shard)
    _ = await run.execute(reporters: &reporters)
    return path
  }

  @Test("a shard marks fleet assertions judged at merge, never passed; the merge judges all shards' hosts")
  func duplicateAcrossShards() async throws {
    let checks = Fleet(Command("cat /etc/pop/mac").standardOutput).isUniquePerHost().checks
    let first = try await Self.shard("1/2", host: "lax1", value: "02:00:00:00:00:01", checks: checks)
    let second = try await Self.shard("2/2", host: "lax2", value: "02:00:00:00:00:01", checks: checks)
    defer { for path in [first, second] { try? FileManager.default.removeItem(atPath: path) } }

    let own = try ReportMerge.read(first)
    #expect(own.fleet.map(\.outcome) == [.skipped(reason: "judged at merge: this run is shard 1/2")])
    #expect(own.hosts.first?.fleetValues?.first?.value == "02:00:00:00:00:01")

    let path = NSTemporaryDirectory() + "infraspec-merged-\(UUID().uuidString).tap"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let stream = try InfraSpec.OutputStream.file(atPath: path)
    defer { close(stream.descriptor) }
    let merged = try ReportMerge.merge(paths: [first, second]) { [TAPReporter(output: stream)] }
    #expect(merged.exitCode == .checkFailed)
    let tap = try String(contentsOfFile: path, encoding: .utf8)
    #expect(tap.contains("found: \"02:00:00:00:00:01 on lax1, lax2\""), "\(tap)")
    let points = tap.split(separator: "\n").filter {
      $0.hasPrefix("not ok") && $0.contains("is unique per host")
    }
    #expect(points.count == 1, "judged once: \(tap)")
  }
}
