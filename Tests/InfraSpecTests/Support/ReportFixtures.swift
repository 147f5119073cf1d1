import Foundation

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// Synthetic runs for reporter tests: events with fixed times, so reports compare exactly.
enum ReportFixtures {
  static let debian = HostProfile(
    family: .debian, osName: "Debian GNU/Linux 12 (bookworm)", serviceManager: .systemd,
    initProcess: "systemd")

  /// 2026-11-29T17:00:00.000Z plus `milliseconds`.
  static func time(_ milliseconds: Int64 = 0) -> Timestamp {
    Timestamp(millisecondsSince1970: 1_795_971_600_000 + milliseconds)
  }

  static func result(
    host: String, number: Int, groups: [String] = ["edge PoP", "network"], subject: String = "interface eth0",
    property: String = "mtu", title: String = "mtu 9000", line: Int = 12, outcome: Outcome = .passed,
    milliseconds: Double = 12
  ) -> CheckResult {
    CheckResult(
      host: host, number: number, groups: groups, subject: subject, property: property, title: title,
      location: SourceLocation(file: "Specs/pop.swift", line: line, column: 5), tags: [], outcome: outcome,
      probes: ["ip -j link show dev eth0"], durationMilliseconds: milliseconds)
  }

  /// One host's events: started, the results, finished with the summary they add up to.
  static func host(_ name: String, at start: Int64, _ results: [CheckResult]) -> [(Event, Timestamp)] {
    var summary = Summary()
    var events: [(Event, Timestamp)] = [(.hostStarted(host: name, profile: debian), time(start))]
    for (index, result) in results.enumerated() {
      summary.count(result.outcome)
      events.append((.checkFinished(result), time(start + 10 * Int64(index + 1))))
    }
    events.append((.hostFinished(host: name, summary: summary), time(start + 1234)))
    return events
  }

  /// A host that could not be reached at all.
  static func unreachable(_ name: String, at start: Int64, reason: String) -> [(Event, Timestamp)] {
    var summary = Summary()
    summary.couldNotCheck = 1
    return [
      (.hostFailed(host: name, reason: reason), time(start)),
      (.hostFinished(host: name, summary: summary), time(start)),
    ]
  }

  /// A whole run around the hosts' events, its summary added up from theirs.
  static func run(hosts: [String], _ hostEvents: [(Event, Timestamp)], duration: Int64 = 2000) -> [(
    Event, Timestamp
  )] {
    var total = Summary()
    for case (.hostFinished(_, let summary), _) in hostEvents { total.add(summary) }
    return [(.runStarted(hosts: hosts, checksPerHost: 4), time())] + hostEvents
      + [(.runFinished(summary: total, durationMilliseconds: Double(duration)), time(duration))]
  }

  /// Two hosts: lax1 has one of each verdict, lax2 could not be reached.
  static let mixed: [(Event, Timestamp)] = run(
    hosts: ["lax1", "lax2"],
    host(
      "lax1", at: 5,
      [
        result(host: "lax1", number: 1, title: "is up", line: 10),
        result(
          host: "lax1", number: 2, line: 11, outcome: .failed(expected: "9000", actual: "1500"),
          milliseconds: 1500.4),
        result(
          host: "lax1", number: 3, groups: ["edge PoP", "services"], subject: "service nginx",
          property: "running",
          title: "is running", line: 20,
          outcome: .couldNotCheck(reason: "command not found on host: systemctl")),
        result(
          host: "lax1", number: 4, groups: [], subject: "package nginx", property: "version",
          title: "version >= 1.22", line: 30, outcome: .skipped(reason: "package nginx is not installed")),
      ])
      + unreachable("lax2", at: 7, reason: "connection refused by 192.0.2.2 port 22"))

  /// Renders `events` with the reporter `make` builds around an output stream into a file.
  static func render(_ events: [(Event, Timestamp)], _ make: (InfraSpec.OutputStream) -> any Reporter) throws
    -> String
  {
    let path = NSTemporaryDirectory() + "infraspec-report-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let stream = try InfraSpec.OutputStream.file(atPath: path)
    defer { close(stream.descriptor) }
    var reporters = [make(stream)]
    for (event, time) in events { reporters[0].report(event, at: time) }
    return try String(contentsOfFile: path, encoding: .utf8)
  }

  /// Writes `text` to a fresh temporary file and returns its path.
  static func temporaryFile(_ text: String, suffix: String) throws -> String {
    let path = NSTemporaryDirectory() + "infraspec-\(UUID().uuidString)\(suffix)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }
}

/// The JUnit schemas vendored in `Tests/Fixtures/junit-schemas/` (origin and licenses in its
/// SOURCES.md), run through `xmllint`: consumers nobody here wrote. In the repository, so a clean
/// clone in CI has them.
enum JUnitSchemas {
  static let names = ["jenkins-xunit-junit-10.xsd", "windyroad-ant-junit.xsd"]
  static let xmllint = ReferenceTool(name: "xmllint", package: "libxml2-utils")

  static let folder: String? = {
    let candidate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/junit-schemas")
    let present = names.allSatisfy {
      FileManager.default.fileExists(atPath: candidate.appendingPathComponent($0).path)
    }
    return present ? candidate.path : nil
  }()

  /// Whether the tests can run, or must run (and then fail) because this is CI.
  static var availableOrRequired: Bool {
    ProcessInfo.processInfo.environment["CI"] == "true" || (folder != nil && xmllint.path != nil)
  }

  /// xmllint's verdict for `xml` against each schema: "validates", or its complaint.
  static func validate(_ xml: String) throws -> [String: String] {
    guard let folder else {
      throw SetupError(
        "the JUnit schemas are missing: expected Tests/Fixtures/junit-schemas/ in the repository")
    }
    let file = try ReportFixtures.temporaryFile(xml, suffix: ".xml")
    defer { try? FileManager.default.removeItem(atPath: file) }
    var verdicts: [String: String] = [:]
    for name in names {
      do {
        _ = try xmllint.run(["--noout", "--schema", "\(folder)/\(name)", file])
        verdicts[name] = "validates"
      } catch {
        verdicts[name] = "\(error)"
      }
    }
    return verdicts
  }
}

extension ReportFixtures {
  /// Ctrl-C during a slow check: lax1 finished checks 1 and 3 (3 after the slow 2), lax2 only
  /// check 1; four checks never finished. One host (`hosts: ["lax1"]`) or both.
  static func interrupted(hosts: [String] = ["lax1", "lax2"]) -> [(Event, Timestamp)] {
    var events: [(Event, Timestamp)] = [(.runStarted(hosts: hosts, checksPerHost: 3), time())]
    var unfinished: [CheckResult] = []
    var summary = Summary()
    for (offset, host) in hosts.enumerated() {
      events.append((.hostStarted(host: host, profile: debian), time(Int64(offset))))
      let finished = host == "lax1" ? [1, 3] : [1]
      for number in 1...3 {
        let made = result(host: host, number: number, title: "check \(number)", line: 10 + number)
        if finished.contains(number) {
          events.append((.checkFinished(made), time(10 * Int64(number))))
          summary.count(made.outcome)
        } else {
          var open = made
          open.outcome = .couldNotCheck(reason: "did not finish: interrupted by SIGINT")
          open.durationMilliseconds = 0
          unfinished.append(open)
        }
      }
    }
    let abort = RunAbort(kind: .interrupted, reason: "interrupted by SIGINT", unfinished: unfinished)
    return events + [
      (.runAborted(abort), time(900)), (.runFinished(summary: summary, durationMilliseconds: 900), time(900)),
    ]
  }
}
