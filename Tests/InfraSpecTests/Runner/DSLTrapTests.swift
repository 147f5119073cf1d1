import Foundation
import Synchronization
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// Spec statements that read one way and checked another (issue 8, "Traps in the DSL").
@Suite("DSL traps")
struct DSLTrapTests {
  static let debian = CommandOutput(exitStatus: 0, stdout: Array("ID=debian\n".utf8), stderr: [])

  static func host(_ extra: [ProbeCommand: CommandOutput]) -> CountingTransport {
    CountingTransport(
      [
        HostProfile.osReleaseCommand: debian,
        HostProfile.initCommand: CommandOutput(exitStatus: 0, stdout: Array("systemd\n".utf8), stderr: []),
      ].merging(extra) { $1 })
  }

  static func ok(_ text: String) -> CommandOutput {
    CommandOutput(exitStatus: 0, stdout: Array(text.utf8), stderr: [])
  }

  @Test("isRunning(as:) means some process of that name, owner(allAre:) every one")
  func processOwner() async {
    // sshd's pre-authentication child runs as `sshd` beside root's listener.
    let table = Self.ok("4242\n  1 0 root init\n 10 1 root sshd\n 11 10 sshd sshd\n4242 1 root ps\n")
    let checks =
      Process("sshd").isRunning(as: "root").isRunning(as: "www-data").owner(allAre: "root").__chain.checks
    let messages = await ProbeFamilyTests.messages(checks, on: Self.host([ProcessProbe.command: table]))
    #expect(
      messages == [
        "process sshd: is running as root",
        "process sshd: owner: expected running as www-data, got running as root, sshd",
        "process sshd: owner: expected all root, got root, sshd",
      ])
  }

  @Test("a NUL byte in a name is one spec mistake, decided before any transport, the same on each")
  func nulName() async {
    let checks = File("/etc/passwd\u{0}x").isFile().mode(0o644).__chain.checks
    let counted = Self.host([:])
    let replayed = await ProbeFamilyTests.messages(checks, on: counted)
    let local = await ProbeFamilyTests.messages(checks, on: LocalTransport())
    #expect(
      replayed == [
        "file /etc/passwd\\0x: type: could not check: spec mistake: the name contains a NUL byte (\\0), which "
          + "no file, user, package or command name on a host can hold; remove it",
        "file /etc/passwd\\0x: mode: skipped: file /etc/passwd\\0x: the spec mistake reported above",
      ])
    #expect(local == replayed)
    // Only the host profile was asked for: nothing with the name reached the transport.
    #expect(counted.counts.withLock { $0.keys.allSatisfy { $0.argv[0] == "cat" || $0.argv[0] == "sh" } })
    #expect(counted.counts.withLock { $0.count } == 2)
  }

  @Test("an argument with NUL that a resource did not declare is refused before the transport too")
  func nulArgument() async {
    let checks = Command(["echo", "a\u{0}b"]).exitStatus(0).__chain.checks
    let messages = await ProbeFamilyTests.messages(checks, on: Self.host([:]))
    #expect(messages.count == 1 && messages[0].contains("could not check: spec mistake"))
  }

  @Test("a content mismatch shows the closest lines, or where an equality first differs")
  func contentLines() {
    let config =
      (1...40).map { "setting_\($0) = value \($0);" }.joined(separator: "\n")
      + "\nworker_processes 4;\nevents { worker_connections 1024; }\n"
    #expect(
      TextMatch.contains("worker_processes auto;", in: config)
        == .fail(
          expected: "to contain \"worker_processes auto;\"",
          actual: "no match in \(config.count) characters; closest: line 41 \"worker_processes 4;\", "
            + "line 42 \"events { worker_connections 1024; }\""))
    #expect(
      TextMatch.matches("^worker_processes [0-9]+ auto", in: config)
        == .fail(
          expected: "to match /^worker_processes [0-9]+ auto/",
          actual: "no match in \(config.count) characters; closest: line 41 \"worker_processes 4;\", "
            + "line 42 \"events { worker_connections 1024; }\""))
    var changed = config.split(separator: "\n").map(String.init)
    changed[20] = "setting_21 = other;"
    guard case .fail(_, let actual) = TextMatch.equals(config, changed.joined(separator: "\n")) else {
      Issue.record("equal texts")
      return
    }
    #expect(
      actual == "42 lines differing from line 21 on: -\"setting_21 = value 21;\" +\"setting_21 = other;\"")
    // Short texts are shown whole, as before.
    #expect(TextMatch.contains("b", in: "a\n") == .fail(expected: "to contain \"b\"", actual: "\"a\\n\""))
  }

  @Test("mode(644) names the decimal; an impossible mode is a spec mistake")
  func decimalMode() async {
    let stat = FileProbe.stat("/etc/passwd")
    let checks = File("/etc/passwd").mode(644).mode(0o600).mode(99999).__chain.checks
    let messages = await ProbeFamilyTests.messages(
      checks, on: Self.host([stat: Self.ok("81a4 644 root root 1317\n")]))
    #expect(
      messages == [
        "file /etc/passwd: mode: expected 01204, got 0644 (644 is decimal; write 0o644)",
        "file /etc/passwd: mode: expected 0600, got 0644",
        "file /etc/passwd: mode: could not check: spec mistake: 99999 is not a permission mode (at most 0o7777); "
          + "write it in octal, e.g. 0o644",
      ])
  }
}
