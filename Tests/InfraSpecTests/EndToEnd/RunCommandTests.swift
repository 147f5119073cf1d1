import Foundation
import Testing

@testable import InfraSpec

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
    #expect(result.stdout.isEmpty)
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

  @Test("Ctrl-C stops the run, reports what finished as valid TAP, exits 130 and kills running probes")
  func interrupt() throws {
    let token = "isp-interrupt-\(UUID().uuidString.prefix(8))"
    let root = try CLI.workspace([
      "slow.swift": """
      import InfraSpec

      describe("interrupt") {
        File("/etc/passwd").exists()
        Command("sleep 30 # \(token)").exitStatus(0)
      }
      """
    ])
    _ = try CLI.run(["list"], in: root)
    let result = try Shell.run(
      ["timeout", "--preserve-status", "-s", "INT", "3", CLI.infraspec, "run"], in: root,
      environment: ["XDG_CACHE_HOME": CLI.cacheDirectory])
    #expect(result.status == 130, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("ok 1 - interrupt › file /etc/passwd: exists\n1..1\n"), "\(result.stdout)")
    #expect(result.stderr.contains("infraspec: interrupted; reported what had finished: 1 passed"))
    #expect(try Shell.run(["pgrep", "-f", token]).stdout.isEmpty, "the running probe survived Ctrl-C")
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
    let fast = try CLI.run(["run", "--tag", "fast", "--skip-tag", "slow"], in: root)
    #expect(fast.status == 0, "\(fast.stdout)\(fast.stderr)")
    #expect(fast.stdout.contains("1..1\n"), "\(fast.stdout)")
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
