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

/// The built `infraspec` binary against this machine: compile, run, exit codes, TAP via `prove`.
@Suite("infraspec run", .serialized)
struct RunCommandTests {
  @Test("the quick start's spec passes on this machine and its TAP satisfies prove")
  func localhostSpecPasses() throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let result = try CLI.run(["run", "Specs/localhost.swift", "--format", "tap"], in: repository)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let prove = try Prove.check(result.stdout)
    #expect(prove.status == 0 && prove.output.contains("Result: PASS"), "\(prove.output)")
  }

  @Test("every spec in Specs/ passes on this machine: the examples check only their own hosts")
  func allSpecsPass() throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let result = try CLI.run(["run", "Specs"], in: repository, environment: ["INFRASPEC_DNS_SERVER": ""])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("# SKIP no host of this run is in pops"), "\(result.stdout)")
  }

  @Test("a failing check exits 1, says file:line, expected and actual, and prove parses it")
  func failureMessage() throws {
    let root = try CLI.workspace([
      "fail.swift": """
      import InfraSpec

      describe("files") {
        File("/etc/passwd").mode(0o600)
      }
      """
    ])
    let human = try CLI.run(["run", "--format", "human"], in: root)
    #expect(human.status == 1)
    #expect(
      human.stdout.contains("Specs/fail.swift:4:27: file /etc/passwd: mode: expected 0600, got 0644\n"),
      "\(human.stdout)")
    #expect(!human.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")

    let tap = try CLI.run(["run"], in: root)
    #expect(tap.status == 1)
    #expect(tap.stdout.hasPrefix("TAP version 13\n"))
    #expect(
      tap.stdout.contains(
        """
        not ok 1 - files › file /etc/passwd: mode 0600
          ---
          message: "file /etc/passwd: mode: expected 0600, got 0644"
          severity: "fail"
          wanted: "0600"
          found: "0644"
          at:
            file: "Specs/fail.swift"
            line: 4
            column: 27
          host: "localhost"
          probe: \(TAPReporter.quoted(FileProbe.stat("/etc/passwd").description))
        """), "\(tap.stdout)")
    let prove = try Prove.check(tap.stdout)
    #expect(prove.status != 0 && prove.output.contains("Failed 1/1 subtests"), "\(prove.output)")
    #expect(!prove.output.contains("Parse errors"), "\(prove.output)")
  }

  @Test("a spec that does not compile exits 65 with the compiler's message at the user's line")
  func compileError() throws {
    let root = try CLI.workspace([
      "typo.swift": """
      import InfraSpec

      describe("typo") {
        Interface("eth0").mtuu(9000)
      }
      """
    ])
    let result = try CLI.run(["run"], in: root)
    #expect(result.status == 65)
    #expect(
      result.stderr.contains("Specs/typo.swift:4:21: error: value of type 'Interface' has no member 'mtuu'"),
      "\(result.stderr)")
    #expect(!result.stderr.contains("Stack dump") && !result.stderr.contains("main.swift"))
    // CI shows why: TAP bails out, and every report carries the diagnostics.
    #expect(
      result.stdout
        == "TAP version 13\nBail out! the spec does not compile: "
        + "Specs/typo.swift:4:21: error: value of type 'Interface' has no member 'mtuu'\n", "\(result.stdout)"
    )
    let reports = try CLI.run(
      ["run", "--report", "junit=out/junit.xml", "--report", "json=out/run.json"], in: root)
    #expect(reports.status == 65)
    let junit = try String(contentsOf: root.appendingPathComponent("out/junit.xml"), encoding: .utf8)
    #expect(
      junit.contains("errors=\"1\"") && junit.contains("Interface(&quot;eth0&quot;).mtuu(9000)"), "\(junit)")
    let json = try String(contentsOf: root.appendingPathComponent("out/run.json"), encoding: .utf8)
    #expect(
      json.contains("\"kind\" : \"doesNotCompile\"") && json.contains("\"interrupted\" : true"), "\(json)")
    for verdict in try TAPConsumers.judge(result.stdout) {
      #expect(!verdict.passed && verdict.bailedOut, "\(verdict)")
    }
  }

  @Test("usage errors exit 64")
  func usageErrors() throws {
    let root = try CLI.workspace([:])
    let missing = try CLI.run(["run", "Specs/nope.swift"], in: root)
    #expect(missing.status == 64)
    #expect(missing.stderr.contains("no such spec file or folder: Specs/nope.swift"), "\(missing.stderr)")
    #expect(try CLI.run(["run", "--timeout", "-1"], in: root).status == 64)
    #expect(try CLI.run(["run", "--format", "xml"], in: root).status == 64)
  }

  @Test("hostile resource names are data: nothing they embed is executed")
  func hostileNames() throws {
    let marker = NSTemporaryDirectory() + "infraspec-pwned-\(UUID().uuidString)"
    let root = try CLI.workspace([
      "hostile.swift": """
      import InfraSpec

      let marker = "\(marker)"
      describe("hostile") {
        File("/tmp/x; touch \\(marker)").exists()
        File("$(touch \\(marker))").exists()
        File("`touch \\(marker)`\\n'\\"").exists()
        Package("$(touch \\(marker))").isInstalled()
        Package("-a; touch \\(marker)").isInstalled()
        User("root; touch \\(marker)").exists()
        Group("$(touch \\(marker))").exists()
        Service("x; touch \\(marker)").isRunning()
        Sysctl("../../../tmp/x").value("1")
        Interface("eth0; touch \\(marker)").isUp()
        Process("$(touch \\(marker))").isRunning()
        Mount("/x\\n$(touch \\(marker))").isMounted()
      }
      """
    ])
    let result = try CLI.run(["run"], in: root)
    #expect(!FileManager.default.fileExists(atPath: marker), "a hostile name was executed")
    #expect(result.status == 1, "\(result.stdout)")
    #expect(
      result.stdout.contains(
        "message: \"service x; touch \(marker): running: could not check: not a service name: \\\"x; touch \(marker)\\\"\""
      ), "\(result.stdout)")
    #expect(
      result.stdout.contains("sysctl ../../../tmp/x: value: could not check: not a sysctl key"),
      "\(result.stdout)")
    let prove = try Prove.check(result.stdout)
    #expect(!prove.output.contains("Parse errors"), "\(prove.output)")
  }

  @Test("a probe that hangs is killed at --timeout, reported could not check, and the run goes on")
  func timeout() throws {
    let token = "infraspec-hang-\(UUID().uuidString.prefix(8))"
    let root = try CLI.workspace([
      "hang.swift": """
      import InfraSpec

      describe("slow") {
        Command("sleep 30 # \(token)").exitStatus(0)
        Command("echo after").stdout("after")
      }
      """
    ])
    let started = Date()
    let result = try CLI.run(["run", "--timeout", "1"], in: root)
    #expect(Date().timeIntervalSince(started) < 15)
    #expect(result.status == 2, "\(result.stdout)")
    #expect(result.stdout.contains("could not check: timed out after 1s running sh -c"), "\(result.stdout)")
    #expect(result.stdout.contains("ok 2 - slow › command \"echo after\": stdout \"after\""))
    let leftover = try Shell.run(["pgrep", "-f", token])
    #expect(leftover.stdout.isEmpty, "the hung probe survived its timeout")
  }

  @Test(
    "Ctrl-C: what finished is reported (also after a slow check), TAP bails out, JUnit and JSON list the unfinished, merge fails"
  )
  func interrupt() throws {
    let token = "isp-interrupt-\(UUID().uuidString.prefix(8))"
    let root = try CLI.workspace([
      "slow.swift": """
      import InfraSpec

      describe("interrupt") {
        Command("sleep 30 # \(token)").exitStatus(0)
        File("/etc/passwd").exists()
        File("/etc/group").exists()
      }
      """
    ])
    _ = try CLI.run(["list"], in: root)
    try "stale".write(to: root.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
    // While it runs the stale report is gone and the new one is only a temporary file beside it.
    // The file checks finish at once but wait behind the slow one: only Ctrl-C reports them.
    let script = """
      "$1" run --report json=run.json --report junit=junit.xml > out.tap 2> err.txt &
      for i in $(seq 1 150); do grep -q '^# localhost' out.tap 2>/dev/null && break; sleep 0.2; done
      sleep 1; ls; kill -INT $!; wait $!; echo "status $?"
      """
    let result = try Shell.run(
      ["sh", "-c", script, "sh", CLI.infraspec], in: root, environment: ["XDG_CACHE_HOME": CLI.cacheDirectory]
    )
    #expect(result.stdout.contains("status 130"), "\(result.stdout)")
    #expect(
      result.stdout.contains("run.json.tmp-") && !result.stdout.contains("run.json\n"), "\(result.stdout)")
    let tap = try String(contentsOf: root.appendingPathComponent("out.tap"), encoding: .utf8)
    #expect(tap.contains("ok 1 - interrupt › file /etc/passwd: exists\n"), "\(tap)")
    #expect(
      tap.contains("ok 2 - interrupt › file /etc/group: exists\n"), "finished after a slow check: \(tap)")
    #expect(tap.contains("\n# 2 passed, 0 failed, 0 could not check, 0 skipped in "), "\(tap)")
    #expect(tap.hasSuffix(" s\nBail out! interrupted by SIGINT; 1 check did not finish\n"), "\(tap)")
    for verdict in try TAPConsumers.judge(tap) { #expect(!verdict.passed && verdict.bailedOut, "\(verdict)") }
    let stderr = try String(contentsOf: root.appendingPathComponent("err.txt"), encoding: .utf8)
    #expect(
      stderr.contains(
        "infraspec: interrupted by SIGINT; 1 check did not finish; reported what had finished: 2 passed"))
    #expect(try Shell.run(["pgrep", "-f", token]).stdout.isEmpty, "the running probe survived Ctrl-C")

    let junit = try String(contentsOf: root.appendingPathComponent("junit.xml"), encoding: .utf8)
    #expect(junit.contains("tests=\"3\" failures=\"0\" errors=\"1\""), "\(junit)")
    #expect(junit.contains("did not finish: interrupted by SIGINT"), "\(junit)")
    let json = try String(contentsOf: root.appendingPathComponent("run.json"), encoding: .utf8)
    #expect(json.contains("\"interrupted\" : true") && json.contains("\"unfinished\" : ["), "\(json)")
    let merged = try CLI.run(["report", "merge", "run.json"], in: root)
    #expect(merged.status == 130)
    #expect(merged.stderr.contains("not a whole run: run.json: interrupted by SIGINT"), "\(merged.stderr)")
  }

  @Test(
    "nothing checked exits 3 and says what selected nothing: a misspelt tag, an empty describe, an empty shard"
  )
  func nothingChecked() throws {
    let root = try CLI.workspace([
      "tagged.swift": """
      import InfraSpec

      describe("tagged", tags: "web") {
        File("/etc/passwd").exists()
      }
      """
    ])
    let misspelt = try CLI.run(["run", "--tag", "wbe"], in: root)
    #expect(misspelt.status == 3)
    #expect(misspelt.stderr.contains("infraspec: nothing to check: no check has tag wbe (tags used: web)"))
    let inventory = root.appendingPathComponent("pops.ini")
    try
      "[pops]\nlax1 ansible_host=192.0.2.1\nlax2 ansible_host=192.0.2.2\nlax3 ansible_host=192.0.2.3\nlax4 ansible_host=192.0.2.4\n"
      .write(to: inventory, atomically: true, encoding: .utf8)
    let shard = try CLI.run(["run", "--inventory", inventory.path, "--shard", "5/8"], in: root)
    #expect(shard.status == 3, "an empty shard must not check this machine: \(shard.stdout)")
    #expect(shard.stderr.contains("nothing to check: shard 5/8 holds none of the hosts"), "\(shard.stderr)")
    #expect(!shard.stdout.contains("localhost"))

    let empty = try CLI.workspace(["empty.swift": "import InfraSpec\n\ndescribe(\"empty\") {\n}\n"])
    let none = try CLI.run(["run"], in: empty)
    #expect(none.status == 3)
    #expect(none.stderr.contains("nothing to check: the spec files define no checks"), "\(none.stderr)")
  }

  @Test("a spec that crashes exits 70, bails out naming its line, and still writes its reports")
  func crash() throws {
    let root = try CLI.workspace([
      "crash.swift": """
      import InfraSpec

      let ports = [22, 443]

      describe("crash") {
        File("/etc/passwd").exists()
        Port(ports[Int("5")!]).isListening()
      }
      """
    ])
    let result = try CLI.run(
      ["run", "--report", "json=out/run.json", "--report", "junit=out/junit.xml"], in: root)
    #expect(result.status == 70, "\(result.stderr)")
    #expect(
      result.stdout
        == "TAP version 13\nBail out! the spec crashed (SIGILL): Fatal error: Index out of range at Specs/crash.swift:7\n",
      "\(result.stdout)")
    #expect(
      result.stderr.contains(
        "infraspec: the spec crashed (SIGILL): Fatal error: Index out of range at Specs/crash.swift:7"))
    let json = try String(contentsOf: root.appendingPathComponent("out/run.json"), encoding: .utf8)
    #expect(json.contains("\"kind\" : \"crashed\"") && json.contains("\"interrupted\" : true"), "\(json)")
    let junit = try String(contentsOf: root.appendingPathComponent("out/junit.xml"), encoding: .utf8)
    #expect(junit.contains("errors=\"1\"") && junit.contains("Index out of range"), "\(junit)")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("out").path).sorted()
        == ["junit.xml", "run.json"])
    for verdict in try TAPConsumers.judge(result.stdout) {
      #expect(!verdict.passed && verdict.bailedOut, "\(verdict)")
    }
    let merged = try CLI.run(["report", "merge", "out/run.json"], in: root)
    #expect(
      merged.status == 70 && merged.stderr.contains("out/run.json: the spec crashed"), "\(merged.stderr)")
  }

  @Test("a spec that crashes mid-run: what finished is in TAP, JSON and JUnit, from the journal it kept")
  func crashMidRun() throws {
    let token = "isp-crash-\(UUID().uuidString.prefix(8))"
    let root = try CLI.workspace([
      "late.swift": """
      import Foundation
      import InfraSpec

      Thread.detachNewThread {
        Thread.sleep(forTimeInterval: 1.5)
        fatalError("boom")
      }

      describe("late") {
        File("/etc/passwd").exists()
        Command("sleep 20 # \(token)").exitStatus(0)
      }
      """
    ])
    _ = try CLI.run(["list"], in: root)
    let result = try CLI.run(
      ["run", "--report", "json=out/run.json", "--report", "junit=out/junit.xml"], in: root)
    #expect(result.status == 70, "\(result.stderr)")
    #expect(result.stdout.contains("ok 1 - late › file /etc/passwd: exists\n"), "\(result.stdout)")
    #expect(
      result.stdout.hasSuffix(
        "Bail out! the spec crashed (SIGILL): Fatal error: boom at Specs/late.swift:6\n"), "\(result.stdout)")
    let json = try String(contentsOf: root.appendingPathComponent("out/run.json"), encoding: .utf8)
    #expect(json.contains("\"title\" : \"exists\"") && json.contains("\"kind\" : \"crashed\""), "\(json)")
    let junit = try String(contentsOf: root.appendingPathComponent("out/junit.xml"), encoding: .utf8)
    #expect(junit.contains("name=\"file /etc/passwd: exists\""), "\(junit)")
    #expect(junit.contains("Fatal error: boom"), "\(junit)")
    #expect(
      try Shell.run(["pgrep", "-f", token]).stdout.isEmpty, "the crashed spec's probe outlived the run")
  }

  @Test("the spec binary starts with no signal blocked: top-level code that loops still ends on SIGTERM")
  func signalMask() throws {
    let root = try CLI.workspace([
      "spin.swift": """
      import Foundation
      import InfraSpec

      let status = try! String(contentsOfFile: "/proc/self/status", encoding: .utf8)
      let blocked = status.split(separator: "\\n").first { $0.hasPrefix("SigBlk:") }!
      FileHandle.standardError.write(Data("\\(blocked)\\n".utf8))
      if ProcessInfo.processInfo.environment["INFRASPEC_TEST_SPIN"] != nil {
        while true {}
      }

      describe("spin") {
        File("/etc/passwd").exists()
      }
      """
    ])
    let plain = try CLI.run(["run"], in: root)
    #expect(plain.status == 0 && plain.stderr.contains("SigBlk:\t0000000000000000\n"), "\(plain.stderr)")
    let started = Date()
    let spinning = try Shell.run(
      ["timeout", "-k", "10", "--preserve-status", "-s", "TERM", "3", CLI.infraspec, "run"], in: root,
      environment: ["XDG_CACHE_HOME": CLI.cacheDirectory, "INFRASPEC_TEST_SPIN": "1"])
    #expect(spinning.status == 130, "\(spinning.stdout)\(spinning.stderr)")
    #expect(Date().timeIntervalSince(started) < 8)
    #expect(spinning.stdout.hasSuffix("Bail out! interrupted by SIGTERM\n"), "\(spinning.stdout)")
  }

  @Test("a report that cannot be written whole exits 74 with a message; stdout too")
  func reportWriteErrors() throws {
    let root = try CLI.workspace([
      "ok.swift": """
      import InfraSpec

      describe("ok") {
        File("/etc/passwd").exists()
      }
      """
    ])
    let report = try CLI.run(["run", "--report", "json=/dev/full"], in: root)
    #expect(report.status == 74)
    #expect(
      report.stderr.contains("infraspec: cannot write report /dev/full: No space left on device"),
      "\(report.stderr)")
    let stdout = try Shell.run(
      ["sh", "-c", "\"$1\" run > /dev/full", "sh", CLI.infraspec], in: root,
      environment: ["XDG_CACHE_HOME": CLI.cacheDirectory])
    #expect(stdout.status == 74)
    #expect(
      stdout.stderr.contains("infraspec: cannot write standard output: No space left on device"),
      "\(stdout.stderr)")
  }

  @Test("passing checks carry what they found: TAP YAML, JSON, and the human view with --verbose")
  func foundValues() throws {
    let root = try CLI.workspace([
      "found.swift": """
      import InfraSpec

      describe("found") {
        File("/etc/passwd").mode(0o644)
      }
      """
    ])
    let tap = try CLI.run(["run", "--report", "json=run.json"], in: root)
    #expect(tap.status == 0, "\(tap.stderr)")
    #expect(
      tap.stdout.contains(
        "ok 1 - found › file /etc/passwd: mode 0644\n  ---\n  severity: \"pass\"\n  found: \"0644\"\n  ...\n"),
      "\(tap.stdout)")
    for verdict in try TAPConsumers.judge(tap.stdout) {
      #expect(verdict.passed && !verdict.parseError, "\(verdict)")
    }
    let json = try String(contentsOf: root.appendingPathComponent("run.json"), encoding: .utf8)
    #expect(json.contains("\"found\" : \"0644\""), "\(json)")
    let human = try CLI.run(["run", "--format", "human", "--verbose"], in: root)
    #expect(human.stdout.contains("✓ file /etc/passwd: mode 0644 (found 0644)\n"), "\(human.stdout)")
  }

  @Test("a missing program and an unanswerable service are could not check, with the reason")
  func couldNotCheck() throws {
    let root = try CLI.workspace([
      "missing.swift": """
      import InfraSpec

      describe("missing") {
        Command(["infraspec-no-such-tool"]).exitStatus(0)
      }
      """
    ])
    let result = try CLI.run(["run", "--format", "human"], in: root)
    #expect(result.status == 2)
    #expect(
      result.stdout.contains(
        "Specs/missing.swift:4:49: command infraspec-no-such-tool: exit status: could not check: command not found on host: infraspec-no-such-tool"
      ),
      "\(result.stdout)")
  }

  @Test("--tag and --skip-tag select checks")
  func tags() throws {
    let root = try CLI.workspace([
      "tags.swift": """
      import InfraSpec

      describe("tagged", tags: "fast") {
        File("/etc/passwd").exists()
        File("/etc/group").exists().tagged("slow")
      }
      File("/etc/hosts").exists()
      """
    ])
    /// The files of the checks a run reported, in order.
    func checked(_ result: CLI.Result) -> [String] {
      result.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") || $0.hasPrefix("not ok ") }
        .map { line in
          ["/etc/passwd", "/etc/group", "/etc/hosts"].first { line.contains($0) } ?? String(line)
        }
    }
    let fast = try CLI.run(["run", "--tag", "fast", "--skip-tag", "slow"], in: root)
    #expect(fast.status == 0, "\(fast.stdout)\(fast.stderr)")
    #expect(fast.stdout.contains("1..1\n"), "\(fast.stdout)")
    // The tagged group's untagged check survives; the slow one and the untagged file do not.
    #expect(checked(fast) == ["/etc/passwd"], "\(fast.stdout)")
    let notSlow = try CLI.run(["run", "--skip-tag", "slow"], in: root)
    #expect(checked(notSlow) == ["/etc/passwd", "/etc/hosts"], "\(notSlow.stdout)")
  }

  @Test("list shows every check and its probe command without running it; init scaffolds a passing spec")
  func listAndInit() throws {
    let root = try CLI.workspace([:])
    let created = try CLI.run(["init"], in: root)
    #expect(created.status == 0, "\(created.stderr)")
    let listing = try CLI.run(["list"], in: root)
    #expect(listing.status == 0, "\(listing.stderr)")
    #expect(listing.stdout.contains("$ \(FileProbe.stat("/etc/passwd"))\n"), "\(listing.stdout)")
    let rhel = try CLI.run(["list", "--os", "rhel"], in: root)
    #expect(rhel.stdout.contains("$ getent passwd -- root"), "\(rhel.stdout)")
    let run = try CLI.run(["run"], in: root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    #expect(try CLI.run(["init"], in: root).status == 64, "init refuses to overwrite")
  }

  @Test("a spec that also imports Foundation names InfraSpec's Process and Port unambiguously")
  func foundationClash() throws {
    let root = try CLI.workspace([
      "foundation.swift": """
      import Foundation
      import InfraSpec

      describe("clash") {
        InfraSpec.Process("infraspec-absent").isNotRunning()
        InfraSpec.Port(1).isNotListening()
        File(FileManager.default.currentDirectoryPath).isDirectory()
      }
      """
    ])
    let result = try CLI.run(["run"], in: root)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
  }

  @Test("output that is not UTF-8 is reported, not a crash, and the TAP stays valid")
  func nonUTF8() throws {
    let root = try CLI.workspace([
      "bytes.swift": #"""
      import InfraSpec

      describe("bytes") {
        Command("printf 'a\\377b\\001'").stdout("ab")
      }
      """#
    ])
    let result = try CLI.run(["run"], in: root)
    #expect(result.status == 1)
    #expect(result.stdout.contains("found: \"\\\"a\u{FFFD}b\\\\u{1}\\\"\""), "\(result.stdout)")
    #expect(!(try Prove.check(result.stdout).output.contains("Parse errors")))
  }
}
