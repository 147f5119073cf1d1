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

@Suite("GitHub reporter")
struct GitHubReporterTests {
  @Test("failures are errors on their spec line, could-not-check are warnings, then the summary line")
  func annotations() throws {
    let output = try ReportFixtures.render(ReportFixtures.mixed) {
      GitHubReporter(output: $0, stepSummaryPath: nil)
    }
    #expect(
      output == """
        ::error file=Specs/pop.swift,line=11,col=5,title=lax1 › edge PoP › network › interface eth0%3A mtu 9000\
        ::interface eth0: mtu: expected 9000, got 1500
        ::warning file=Specs/pop.swift,line=20,col=5,title=lax1 › edge PoP › services › service nginx%3A is running\
        ::service nginx: running: could not check: command not found on host: systemctl
        ::warning title=lax2%3A could not check the host::lax2: could not check: connection refused by 192.0.2.2 port 22
        1 passed, 1 failed, 2 could not check, 1 skipped in 2.00 s

        """)
  }

  @Test("the job summary is a table per host and a list of problems, appended to the file")
  func stepSummary() throws {
    let summary = try ReportFixtures.temporaryFile("earlier step\n", suffix: ".md")
    defer { try? FileManager.default.removeItem(atPath: summary) }
    _ = try ReportFixtures.render(ReportFixtures.mixed) {
      GitHubReporter(output: $0, stepSummaryPath: summary)
    }
    #expect(
      try String(contentsOfFile: summary, encoding: .utf8) == """
        earlier step
        ### InfraSpec: 1 passed, 1 failed, 2 could not check, 1 skipped

        | Host | Passed | Failed | Could not check | Skipped |
        | :--- | ---: | ---: | ---: | ---: |
        | lax1 | 1 | 1 | 1 | 1 |
        | lax2 | 0 | 0 | 1 | 0 |

        #### Failed

        - **lax1** Specs/pop.swift:11:5: interface eth0: mtu: expected 9000, got 1500

        #### Could not check

        - **lax1** Specs/pop.swift:20:5: service nginx: running: could not check: command not found on host: systemctl
        - **lax2**: connection refused by 192.0.2.2 port 22


        """)
  }

  @Test("after ten annotations one notice says how many more there are; failures come first")
  func limit() throws {
    let results = (1...13).map { number in
      ReportFixtures.result(
        host: "lax1", number: number, line: number,
        outcome: number <= 2
          ? .couldNotCheck(reason: "timed out \(number)") : .failed(expected: "9000", actual: "\(number)"))
    }
    let output = try ReportFixtures.render(
      ReportFixtures.run(hosts: ["lax1"], ReportFixtures.host("lax1", at: 0, results))
    ) { GitHubReporter(output: $0, stepSummaryPath: nil) }
    let lines = output.split(separator: "\n")
    #expect(lines.count == 12)
    #expect(lines.prefix(10).allSatisfy { $0.hasPrefix("::error file=Specs/pop.swift,line=") })
    #expect(lines[9].contains(",line=12,"))
    #expect(lines[10] == "::notice::3 more problems are not annotated; the report lists them all")
  }

  @Test("text from a host cannot start a workflow command of its own")
  func injection() throws {
    let hostile = "x\r\n::error::pwned\n::add-mask::y"
    let result = ReportFixtures.result(
      host: "lax1", number: 1, subject: hostile, outcome: .failed(expected: hostile, actual: hostile))
    let output = try ReportFixtures.render(
      ReportFixtures.run(hosts: ["lax1"], ReportFixtures.host("lax1", at: 0, [result]))
    ) { GitHubReporter(output: $0, stepSummaryPath: nil) }
    let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 3 && lines[2].isEmpty, "\(output)")
    #expect(
      lines[0].hasPrefix(
        "::error file=Specs/pop.swift,line=12,col=5,title=lax1 › edge PoP › network › x%0D%0A%3A%3Aerror"))
    #expect(!output.contains("\r"))
  }

  @Test(
    "message data escapes %, CR and LF; properties also : and ,",
    arguments: [
      ("plain", "plain", "plain"),
      ("100%\r\nnext", "100%25%0D%0Anext", "100%25%0D%0Anext"),
      ("a: b, c", "a: b, c", "a%3A b%2C c"),
      ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
      ("%0A", "%250A", "%250A"),
    ])
  func escaping(raw: String, data: String, property: String) {
    #expect(GitHubReporter.data(raw) == data)
    #expect(GitHubReporter.property(raw) == property)
  }

  @Test("Markdown cells cannot break the table, format text or carry HTML")
  func markdownEscaping() {
    #expect(
      GitHubReporter.markdown("a|b <img src=x> *c* [d](e) `f`\ng\u{1B}")
        == "a\\|b \\<img src=x\\> \\*c\\* \\[d\\](e) \\`f\\` g\u{FFFD}")
  }

  @Test("only the first GitHub reporter writes the job summary; files are made with their folders")
  func outputs() throws {
    let folder = NSTemporaryDirectory() + "infraspec-outputs-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let reporters = try ReportOutputs.reporters(
      stdout: .tap, color: false,
      reports: [
        ReportTarget(format: .github, path: "\(folder)/a/github.txt"),
        ReportTarget(format: .github, path: "\(folder)/b/github.txt"),
        ReportTarget(format: .junit, path: "\(folder)/junit.xml"),
      ],
      environment: ["GITHUB_STEP_SUMMARY": "\(folder)/summary.md"])
    #expect(reporters.count == 4)
    #expect(reporters[0] is TAPReporter && reporters[3] is JUnitReporter)
    #expect((reporters[1] as? GitHubReporter)?.stepSummaryPath == "\(folder)/summary.md")
    #expect((reporters[2] as? GitHubReporter)?.stepSummaryPath == nil)
    // Each report is written beside its place and renamed into it when whole.
    for file in ["a/github.txt", "b/github.txt", "junit.xml"] {
      #expect(FileManager.default.fileExists(atPath: "\(folder)/\(file).tmp-\(getpid())"), "\(file)")
    }
    for reporter in reporters.dropFirst() {
      let descriptor =
        (reporter as? GitHubReporter)?.output.descriptor ?? (reporter as? JUnitReporter)?.output.descriptor
      if let descriptor { close(descriptor) }
    }
  }

  @Test("a report file that cannot be made is an error naming it")
  func unwritable() throws {
    let file = try ReportFixtures.temporaryFile("", suffix: ".txt")
    defer { try? FileManager.default.removeItem(atPath: file) }
    #expect(
      throws: ReportError(
        .cannotWrite, path: "\(file)/junit.xml",
        "cannot write report \(file)/junit.xml: Not a directory")
    ) {
      _ = try ReportOutputs.reporters(
        stdout: .tap, color: false, reports: [ReportTarget(format: .junit, path: "\(file)/junit.xml")],
        environment: [:])
    }
  }
}
