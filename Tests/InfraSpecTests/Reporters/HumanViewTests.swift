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

/// The terminal view for people in a hurry: the detail under its ✗, one line per host for a
/// shared problem, colour choice, wrapping, failures only.
@Suite("human view", .serialized)
struct HumanViewTests {
  static let spec = """
    import InfraSpec

    describe("files") {
      File("/etc/passwd").isFile().mode(0o600)
      Command(["infraspec-no-such-tool"]).exitStatus(0).stdout("x").stderr("")
      Command("printf 'one\\\\ntwo\\\\nthree\\\\nfour and a long line of words that goes on and on and on past eighty columns\\\\n'")
        .stdout("one\\ntwo\\nTHREE\\nfour and a long line of words that goes on and on and on past eighty columns")
    }

    """

  struct Target {
    let server: SSHServerFixture
    let root: URL

    func run(_ arguments: [String], hosts extra: [String] = [], environment: [String: String] = [:]) throws
      -> CLI.Result
    {
      try CLI.run(
        ["run", "--format", "human"] + arguments
          + (["--host", server.target] + extra.flatMap { ["--host", $0] }) + [
            "--known-hosts", server.knownHostsFile, "-i", server.clientKey("ed25519"), "--connect-timeout",
            "2",
          ], in: root, environment: environment)
    }
  }

  static func target() async throws -> Target {
    let server = try await SSHServerFixture.start()
    return Target(server: server, root: try CLI.workspace(["view.swift": spec]))
  }

  @Test("a failure's detail is right under its ✗; a reason shared by several checks is shown once")
  func detailUnderCheck() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    let result = try target.run([])
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let failed = try #require(lines.firstIndex(of: "    ✗ file /etc/passwd: mode 0600"), "\(result.stdout)")
    #expect(
      lines[failed + 1] == "        Specs/view.swift:4:36: file /etc/passwd: mode: expected 0600, got 0644")
    // The command is missing: three checks, one reason, printed once.
    #expect(result.stdout.components(separatedBy: "command not found on host").count == 2, "\(result.stdout)")
    #expect(
      result.stdout.contains(#"? command infraspec-no-such-tool: stdout "x" (could not check, as above)"#))
    // A content mismatch names the line that differs, under its ✗.
    let diff = try #require(
      lines.firstIndex { $0.contains("lines differing from line 3 on") }, "\(result.stdout)")
    #expect(lines[diff - 1].hasPrefix("    ✗ command \"printf"), "\(result.stdout)")
    #expect(lines[diff].contains("-\"THREE\" +\"three\""), "\(lines[diff])")
    // Nothing is repeated in a trailer after the checks.
    #expect(result.stdout.components(separatedBy: "expected 0600, got 0644").count == 2, "\(result.stdout)")
  }

  @Test("COLUMNS wraps long lines with a hanging indent; a pipe without COLUMNS keeps one line per finding")
  func wrapping() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    let narrow = try target.run([], environment: ["COLUMNS": "60"])
    let lines = narrow.stdout.split(separator: "\n").map(String.init)
    #expect(lines.allSatisfy { $0.count <= 60 }, "\(narrow.stdout)")
    let detail = try #require(lines.firstIndex { $0.contains("Specs/view.swift:4:36:") }, "\(narrow.stdout)")
    #expect(lines[detail] == "        Specs/view.swift:4:36: file /etc/passwd: mode:")
    #expect(lines[detail + 1] == "          expected 0600, got 0644")
    let wide = try target.run([])
    #expect(wide.stdout.split(separator: "\n").contains { $0.count > 80 }, "\(wide.stdout)")
  }

  @Test("--color always|never|auto beside NO_COLOR; auto colours only a terminal")
  func colour() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    #expect(try target.run(["--color", "always"]).stdout.contains("\u{1B}[31m✗\u{1B}[0m"))
    #expect(try target.run(["--color", "always"], environment: ["NO_COLOR": "1"]).stdout.contains("\u{1B}["))
    #expect(!(try target.run(["--color", "never"]).stdout.contains("\u{1B}[")))
    #expect(!(try target.run(["--color", "auto"]).stdout.contains("\u{1B}[")))
    #expect(try target.run(["--color", "purple"]).status == 64)
    // On a terminal (script(1) gives the run one): colour, unless NO_COLOR says no.
    func onTerminal(_ environment: [String]) throws -> String {
      let command =
        ([
          CLI.infraspec, "run", "--host", target.server.target, "--known-hosts", target.server.knownHostsFile,
        ]
        + ["-i", target.server.clientKey("ed25519")]).map { "'\($0)'" }.joined(separator: " ")
      return try Shell.run(
        ["env", "-u", "NO_COLOR", "-u", "COLUMNS", "XDG_CACHE_HOME=\(CLI.cacheDirectory)"] + environment + [
          "script", "-qec", command, "/dev/null",
        ],
        in: target.root
      ).stdout
    }
    let coloured = try onTerminal([])
    #expect(
      coloured.contains("\u{1B}[31m✗"),
      "\(coloured.debugDescription) \(ProcessInfo.processInfo.environment.filter { $0.key.contains("COLOR") })"
    )
    #expect(!(try onTerminal(["NO_COLOR=1"]).contains("\u{1B}[31m")))
  }

  @Test("--failures-only leaves out what passed; a connection problem is one line per host")
  func failuresOnly() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    let single = try target.run(["--failures-only"])
    #expect(!single.stdout.contains("✓"), "\(single.stdout)")
    #expect(single.stdout.contains("✗ file /etc/passwd: mode 0600"), "\(single.stdout)")
    #expect(!single.stdout.contains("is a file"), "\(single.stdout)")

    // Two hosts, one not listening: the shared reason is one line, the lost host one line.
    let closed = try Shell.run([
      "python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])",
    ]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let fleet = try target.run([], hosts: ["root@127.0.0.1:\(closed)"])
    #expect(
      fleet.stdout.split(separator: "\n").filter { $0.contains(closed) }.count <= 2, "\(fleet.stdout)")
    #expect(fleet.stdout.contains("could not check the host"), "\(fleet.stdout)")
    #expect(fleet.stdout.components(separatedBy: "command not found on host").count == 2, "\(fleet.stdout)")
    #expect(fleet.stdout.contains("(and 2 more checks, for the same reason)"), "\(fleet.stdout)")
  }

  static func result(_ host: String, _ number: Int, _ outcome: Outcome) -> CheckResult {
    ReportFixtures.result(
      host: host, number: number, title: "mtu \(number)", line: 10 + number, outcome: outcome)
  }

  @Test("a lost connection is one line for the host, not one per check it took down")
  func lostConnection() throws {
    let lost = Outcome.skipped(reason: "the connection to the host was lost: socket closed")
    let checks = [Self.result("lax1", 1, .passed)] + (2...16).map { Self.result("lax1", $0, lost) }
    var events = ReportFixtures.host("lax1", at: 0, checks)
    events.insert(
      (.hostFailed(host: "lax1", reason: "connection lost: socket closed"), ReportFixtures.time(5)), at: 2)
    for hosts in [["lax1"], ["lax1", "lax2"]] {
      let extra = hosts.count > 1 ? ReportFixtures.host("lax2", at: 0, [Self.result("lax2", 1, .passed)]) : []
      let text = try ReportFixtures.render(ReportFixtures.run(hosts: hosts, events + extra)) {
        HumanReporter(output: $0, color: false, progress: $0)
      }
      #expect(text.components(separatedBy: "socket closed").count == 2, "\(hosts): \(text)")
      #expect(text.contains("15 checks not checked: the connection was lost"), "\(hosts): \(text)")
    }
  }

  @Test("a fleet of more than 10 hosts lists only the hosts that did not pass; --verbose lists all")
  func bigFleet() throws {
    let hosts = (1...12).map { "pop\($0)" }
    var events: [(Event, Timestamp)] = []
    for (index, host) in hosts.enumerated() {
      events += ReportFixtures.host(
        host, at: 0, [Self.result(host, 1, index == 4 ? .failed(expected: "9000", actual: "1500") : .passed)])
    }
    let run = ReportFixtures.run(hosts: hosts, events)
    let quiet = try ReportFixtures.render(run) { HumanReporter(output: $0, color: false, progress: $0) }
    #expect(quiet.contains("✗ pop5: 0 passed, 1 failed"), "\(quiet)")
    #expect(quiet.contains("✓ 11 other hosts: every check passed"), "\(quiet)")
    #expect(!quiet.contains("✓ pop1:"), "\(quiet)")
    let all = try ReportFixtures.render(run) {
      HumanReporter(output: $0, color: false, progress: $0, view: HumanView(verbose: true))
    }
    #expect(all.contains("✓ pop1: 1 passed"), "\(all)")
    let small = ReportFixtures.run(hosts: Array(hosts.prefix(2)), Array(events.prefix(6)))
    let few = try ReportFixtures.render(small) {
      HumanReporter(output: $0, color: false, progress: $0, view: HumanView(failuresOnly: true))
    }
    #expect(few.contains("✓ 2 other hosts: every check passed"), "\(few)")
  }

  @Test("--fail-fast: the checks not run are listed under the summary with file:line, on which hosts, capped")
  func notRunListed() throws {
    let failed = Self.result("lax1", 1, .failed(expected: "9000", actual: "1500"))
    let notRun = Outcome.skipped(reason: "not run: \(RunAbort.failFastReason)")
    // 13 checks on lax1 and lax2, 2 of them on lax2 alone, and one with a long title.
    var unfinished = (2...12).flatMap { number in
      ["lax1", "lax2"].map { Self.result($0, number, notRun) }
    }
    unfinished += [Self.result("lax2", 13, notRun)]
    unfinished.insert(
      ReportFixtures.result(
        host: "lax1", number: 14, subject: "file /etc/pop/a-rather-long-name-of-a-configuration-file.conf",
        title: "sha256 " + String(repeating: "ab", count: 20), line: 40, outcome: notRun), at: 0)
    let abort = RunAbort(kind: .failFast, reason: RunAbort.failFastReason, unfinished: unfinished)
    var events = ReportFixtures.host("lax1", at: 0, [failed])
    events += ReportFixtures.host("lax2", at: 0, [])
    var run = ReportFixtures.run(hosts: ["lax1", "lax2"], events)
    run.insert((.runAborted(abort), ReportFixtures.time(1900)), at: run.count - 1)
    let text = try ReportFixtures.render(run) {
      HumanReporter(output: $0, color: false, progress: $0, view: HumanView(columns: 80))
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let head = try #require(lines.firstIndex { $0.hasPrefix("stopped at the first failure") }, "\(text)")
    #expect(lines[head] == "stopped at the first failure (--fail-fast); 24 checks not run", "\(text)")
    #expect(
      Array(lines[(head + 1)...(head + 4)]) == [
        "  - Specs/pop.swift:40: file",
        "    /etc/pop/a-rather-long-name-of-a-configuration-file.conf: sha256",
        "    abababababababababababababababababababab (on lax1)",
        "  - Specs/pop.swift:12: interface eth0: mtu 2 (on lax1, lax2)",
      ], "\(text)")
    // 10 distinct checks named (the long one, mtu 2 to mtu 10), the other 3 counted.
    #expect(lines[head + 12] == "  - Specs/pop.swift:20: interface eth0: mtu 10 (on lax1, lax2)", "\(text)")
    #expect(lines[head + 13] == "  and 3 more", "\(text)")
    #expect(!text.contains("mtu 11 (on"), "\(text)")
    #expect(lines.allSatisfy { $0.count <= 80 }, "\(text)")

    // One host: no host names; an interruption lists nothing (its checks did not finish).
    var single = ReportFixtures.run(hosts: ["lax1"], ReportFixtures.host("lax1", at: 0, [failed]))
    let few = Array(unfinished.filter { $0.host == "lax1" }.prefix(2))
    single.insert(
      (
        .runAborted(RunAbort(kind: .failFast, reason: RunAbort.failFastReason, unfinished: few)),
        ReportFixtures.time(1900)
      ), at: single.count - 1)
    let one = try ReportFixtures.render(single) { HumanReporter(output: $0, color: false, progress: $0) }
    #expect(one.contains("\n  - Specs/pop.swift:12: interface eth0: mtu 2\n\n"), "\(one)")
    #expect(!one.contains("(on lax1"), "\(one)")
    single[single.count - 2] = (
      .runAborted(RunAbort(kind: .interrupted, reason: "interrupted by SIGINT", unfinished: few)),
      ReportFixtures.time(1900)
    )
    let stopped = try ReportFixtures.render(single) { HumanReporter(output: $0, color: false, progress: $0) }
    #expect(!stopped.contains("  - Specs/pop.swift:"), "\(stopped)")
  }

  @Test("wrapping breaks at spaces, cuts a word longer than a line, keeps short lines as they are")
  func wrap() {
    let view = HumanView(columns: 30)
    #expect(view.wrap("short", lead: 4, hanging: 6) == ["short"])
    #expect(
      view.wrap("expected 0600, got 0644 and more words here", lead: 4, hanging: 6)
        == ["expected 0600, got 0644", "and more words here"])
    let digest = String(repeating: "a", count: 50)
    #expect(view.wrap("sha256 \(digest)", lead: 0, hanging: 2).allSatisfy { $0.count <= 30 })
    #expect(view.wrap("sha256 \(digest)", lead: 0, hanging: 2).joined().filter { $0 == "a" }.count == 51)
    #expect(HumanView().wrap(String(repeating: "x ", count: 100), lead: 0, hanging: 2).count == 1)
  }
}
