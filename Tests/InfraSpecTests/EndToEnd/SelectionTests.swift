import Foundation
import Testing

/// `infraspec run Specs/x.swift:12`, `--filter`, `--fail-fast`, `--only-failures`: which checks
/// run, by name, over SSH to a real sshd on loopback.
@Suite("infraspec run: picking what runs", .serialized)
struct SelectionTests {
  /// Line numbers matter: the tests select by them.
  static let spec = """
    import InfraSpec

    describe("files") {
      File("/etc/passwd").isFile().mode(0o644)
      File("/etc/passwd").mode(0o600)
      describe("users") {
        User("root").exists().uid(0)
        User("root").uid(1)
      }
    }
    describe("system") {
      Sysctl("kernel.ostype").value("Linux")
      Command("uname -s").stdout("Plan9")
      Command(["infraspec-no-such-tool"]).exitStatus(0)
    }

    """

  static let names = [
    "files › file /etc/passwd: is a regular file",  // line 4
    "files › file /etc/passwd: mode 0644",  // line 4
    "files › file /etc/passwd: mode 0600",  // line 5, fails
    "files › users › user root: exists",  // line 7
    "files › users › user root: uid 0",  // line 7
    "files › users › user root: uid 1",  // line 8, fails
    "system › sysctl kernel.ostype: value Linux",  // line 12
    #"system › command "uname -s": stdout "Plan9""#,  // line 13, fails
    "system › command infraspec-no-such-tool: exit status 0",  // line 14, could not check
  ]

  /// The names of the test points of a single-host TAP stream, in order.
  static func ran(_ tap: String) -> [String] {
    tap.split(separator: "\n").compactMap { line -> String? in
      guard let match = line.firstMatch(of: /^(?:not )?ok \d+ - (.*?)(?: # SKIP .*)?$/) else { return nil }
      return String(match.1)
    }
  }

  struct Target {
    let server: SSHServerFixture
    let root: URL

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLI.Result {
      try CLI.run(
        ["run"] + arguments + [
          "--host", server.target, "--known-hosts", server.knownHostsFile, "-i", server.clientKey("ed25519"),
        ], in: root, environment: environment)
    }
  }

  static func target() async throws -> Target {
    let server = try await SSHServerFixture.start()
    return Target(server: server, root: try CLI.workspace(["sel.swift": spec]))
  }

  @Test("file:line selects the checks made on that line, or the describe that starts there")
  func lines() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    let line4 = try target.run(["Specs/sel.swift:4"])
    #expect(line4.status == 0, "\(line4.stdout)\(line4.stderr)")
    #expect(Self.ran(line4.stdout) == Array(Self.names[0...1]), "\(line4.stdout)")

    let block = try target.run(["Specs/sel.swift:6"])
    #expect(block.status == 1, "\(block.stdout)\(block.stderr)")
    #expect(Self.ran(block.stdout) == Array(Self.names[3...5]), "\(block.stdout)")

    let outer = try target.run(["Specs/sel.swift:11", "Specs/sel.swift:5"])
    #expect(Self.ran(outer.stdout) == [Self.names[2]] + Self.names[6...8], "\(outer.stdout)")

    // A line of the file given with ./ and an absolute path names the same file.
    let absolute = try target.run([target.root.path + "/Specs/sel.swift:12"])
    #expect(Self.ran(absolute.stdout) == [Self.names[6]], "\(absolute.stdout)\(absolute.stderr)")
  }

  @Test("a line with no check exits 3 and says which lines hold checks; one such among others is named")
  func emptyLine() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    let empty = try target.run(["Specs/sel.swift:2"])
    #expect(empty.status == 3, "\(empty.stdout)\(empty.stderr)")
    #expect(
      empty.stderr.contains(
        "infraspec: nothing to check: no check is made on line Specs/sel.swift:2 and no describe starts there "
          + "(lines with checks there: 4-5, 7-8, 12-14)"), "\(empty.stderr)")
    #expect(!empty.stdout.contains("ok "), "\(empty.stdout)")

    let mixed = try target.run(["Specs/sel.swift:2", "Specs/sel.swift:12"])
    #expect(mixed.status == 0, "\(mixed.stdout)\(mixed.stderr)")
    #expect(Self.ran(mixed.stdout) == [Self.names[6]])
    #expect(mixed.stderr.contains("infraspec: Specs/sel.swift:2 selects no check; running the others"))
  }

  @Test("--filter matches describe titles, subject and title; none matching exits 3; a bad pattern 64")
  func filter() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    let users = try target.run(["--filter", "users"])
    #expect(Self.ran(users.stdout) == Array(Self.names[3...5]), "\(users.stdout)")

    let some = try target.run(["--filter", #"mode 06|^system › command "uname"#])
    #expect(Self.ran(some.stdout) == [Self.names[1], Self.names[2], Self.names[7]], "\(some.stdout)")

    // With a line: both must hold.
    let both = try target.run(["Specs/sel.swift:4", "--filter", "mode"])
    #expect(Self.ran(both.stdout) == [Self.names[1]], "\(both.stdout)")

    let ignoringCase = try target.run(["--filter", "(?i)SYSCTL"])
    #expect(Self.ran(ignoringCase.stdout) == [Self.names[6]], "\(ignoringCase.stdout)")

    let none = try target.run(["--filter", "nginx"])
    #expect(none.status == 3, "\(none.stdout)\(none.stderr)")
    #expect(none.stderr.contains("--filter nginx matches none of the 9 checks' names"), "\(none.stderr)")

    let bad = try target.run(["--filter", "(unclosed"])
    #expect(bad.status == 64, "\(bad.stderr)")
    #expect(bad.stderr.contains("--filter (unclosed is not a regular expression"), "\(bad.stderr)")
  }

  @Test("--fail-fast stops at the first failure: valid TAP ending in Bail out!, the rest reported as not run")
  func failFast() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    let json = target.root.appendingPathComponent("report.json").path
    let junit = target.root.appendingPathComponent("junit.xml").path
    let result = try target.run(["--fail-fast", "--report", "json=\(json)", "--report", "junit=\(junit)"])
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(Self.ran(result.stdout) == Array(Self.names[0...2]), "\(result.stdout)")
    #expect(
      result.stdout.hasSuffix("Bail out! stopped at the first failure (--fail-fast); 6 checks not run\n"),
      "\(result.stdout)")
    #expect(!result.stdout.contains("interrupted"))
    let prove = try Prove.check(result.stdout)
    // prove stops at the bail-out and fails the stream (reporting the missing plan, as for every
    // bail-out); the test points before it all parsed.
    #expect(
      prove.output.contains("Further testing stopped:  stopped at the first failure"), "\(prove.output)")
    #expect(prove.output.contains("Tests: 3 Failed: 1"), "\(prove.output)")
    #expect(prove.status != 0, "prove must fail a bailed-out stream: \(prove.output)")

    let report =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
    let abort = report?["abort"] as? [String: Any]
    #expect(abort?["kind"] as? String == "failFast", "\(report ?? [:])")
    let unfinished = abort?["unfinished"] as? [[String: Any]] ?? []
    #expect(unfinished.count == 6)
    #expect(
      unfinished.allSatisfy { "\($0["outcome"] ?? "")".contains("not run: stopped at the first failure") },
      "\(unfinished)")
    let xml = try String(contentsOfFile: junit, encoding: .utf8)
    #expect(xml.components(separatedBy: "<skipped").count == 7, "the 6 not run are skipped cases: \(xml)")
    #expect(xml.contains("tests=\"9\""), "\(xml)")

    let human = try target.run(["--fail-fast", "--format", "human"])
    #expect(
      human.stdout.contains("stopped at the first failure (--fail-fast); 6 checks not run"), "\(human.stdout)"
    )
    #expect(!human.stdout.contains("did not finish"), "\(human.stdout)")
    #expect(!human.stdout.contains("✗ user root: uid 1"), "\(human.stdout)")
    // What was not run is listed under the summary, where it is in the spec.
    #expect(
      human.stdout.contains(
        """
        6 checks not run
          - Specs/sel.swift:7: user root: exists
          - Specs/sel.swift:7: user root: uid 0
          - Specs/sel.swift:8: user root: uid 1
          - Specs/sel.swift:12: sysctl kernel.ostype: value Linux
          - Specs/sel.swift:13: command "uname -s": stdout "Plan9"
          - Specs/sel.swift:14: command infraspec-no-such-tool: exit status 0

        """), "\(human.stdout)")
  }

  @Test("--only-failures re-runs exactly the last run's failures and could-not-checks, per spec folder")
  func onlyFailures() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    let cache = NSTemporaryDirectory() + "infraspec-select-cache-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: cache) }
    let environment = ["XDG_CACHE_HOME": cache]

    let first = try target.run(["--only-failures"], environment: environment)
    #expect(first.status == 3, "\(first.stdout)\(first.stderr)")
    #expect(first.stderr.contains("--only-failures: no earlier run of the specs in"), "\(first.stderr)")
    #expect(!first.stdout.contains("ok "))

    let full = try target.run([], environment: environment)
    #expect(full.status == 1, "\(full.stdout)\(full.stderr)")
    #expect(Self.ran(full.stdout) == Self.names)
    let failed = [Self.names[2], Self.names[5], Self.names[7], Self.names[8]]
    let again = try target.run(["--only-failures"], environment: environment)
    #expect(again.status == 1, "\(again.stdout)\(again.stderr)")
    #expect(Self.ran(again.stdout) == failed, "\(again.stdout)")

    // Remembered in the private cache only: the folder is 0700 and the list 0600.
    let files = try FileManager.default.contentsOfDirectory(atPath: cache + "/infraspec")
      .filter { $0.hasPrefix("failures-") }
    #expect(files.count == 1, "\(files)")
    let attributes = try FileManager.default.attributesOfItem(atPath: cache + "/infraspec/" + files[0])
    #expect((attributes[.posixPermissions] as? Int) == 0o600)

    // A run of one line updates only what it checked: line 13 still fails, the others stay.
    _ = try target.run(["Specs/sel.swift:13"], environment: environment)
    let kept = try target.run(["--only-failures"], environment: environment)
    #expect(Self.ran(kept.stdout) == failed, "\(kept.stdout)")

    // Fixed on the host: the check passes now, so it is no longer remembered.
    let marker = "/tmp/infraspec-select-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: marker) }
    let markerSpec = """
      import InfraSpec

      describe("marker") {
        File("\(marker)").exists()
        Command("uname -s").stdout("Plan9")
      }

      """
    try markerSpec.write(
      to: target.root.appendingPathComponent("Specs/sel.swift"), atomically: true, encoding: .utf8)
    let markerNames = ["marker › file \(marker): exists", #"marker › command "uname -s": stdout "Plan9""#]
    let broken = try target.run([], environment: environment)
    #expect(Self.ran(broken.stdout) == markerNames, "\(broken.stdout)")
    FileManager.default.createFile(atPath: marker, contents: Data())
    let rerun = try target.run(["--only-failures"], environment: environment)
    #expect(Self.ran(rerun.stdout) == markerNames, "\(rerun.stdout)")
    let after = try target.run(["--only-failures"], environment: environment)
    #expect(Self.ran(after.stdout) == [markerNames[1]], "\(after.stdout)")

    // Another spec folder has its own memory.
    let other = try CLI.workspace(["sel.swift": Self.spec])
    let elsewhere = try CLI.run(["run", "--only-failures"], in: other, environment: environment)
    #expect(elsewhere.status == 3, "\(elsewhere.stderr)")
  }

  @Test("a binary made by infraspec build takes file:line, --filter, --fail-fast and --only-failures")
  func builtBinary() async throws {
    let target = try await Self.target()
    defer { target.server.stop() }
    let binary = target.root.appendingPathComponent("checks").path
    let build = try CLI.run(["build", "-o", binary], in: target.root)
    try #require(build.status == 0, "\(build.stdout)\(build.stderr)")
    let cache = NSTemporaryDirectory() + "infraspec-select-cache-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: cache) }
    func run(_ arguments: [String]) throws -> CLI.Result {
      try Shell.run(
        [binary] + arguments + [
          "--host", target.server.target, "--known-hosts", target.server.knownHostsFile, "-i",
          target.server.clientKey("ed25519"),
        ], in: target.root, environment: ["XDG_CACHE_HOME": cache])
    }
    #expect(try Self.ran(run(["Specs/sel.swift:6"]).stdout) == Array(Self.names[3...5]))
    #expect(try Self.ran(run(["--filter", "sysctl"]).stdout) == [Self.names[6]])
    let fast = try run(["--fail-fast"])
    #expect(Self.ran(fast.stdout) == Array(Self.names[0...2]), "\(fast.stdout)")
    #expect(fast.stdout.contains("Bail out! stopped at the first failure"))
    let none = try run(["Specs/sel.swift:2"])
    #expect(none.status == 3, "\(none.stderr)")
    _ = try run([])
    let failures = try run(["--only-failures"])
    #expect(Self.ran(failures.stdout) == [Self.names[2], Self.names[5], Self.names[7], Self.names[8]])
  }
}
