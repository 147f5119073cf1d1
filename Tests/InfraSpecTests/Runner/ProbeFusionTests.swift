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

/// A fused probe must leave each subject exactly what its own command would have: same stdout,
/// same exit status (stderr only where a parser reads it), under every shell a host may have.
@Suite("probe fusion")
struct ProbeFusionTests {
  static let folder: String = {
    let path = NSTemporaryDirectory() + "isp-fusion-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path + "/dir", withIntermediateDirectories: true)
    for name in ["; rm -rf ", "-rf", "new\nline", "back\\slash", "plain"] {
      FileManager.default.createFile(atPath: path + "/" + name, contents: Data("content of \(name)\n".utf8))
    }
    try? FileManager.default.createSymbolicLink(atPath: path + "/link", withDestinationPath: "new\nline\n")
    try? FileManager.default.createSymbolicLink(atPath: path + "/dangling", withDestinationPath: "-nowhere")
    return path
  }()

  static let paths =
    ["/etc/passwd", "/nonexistent", "/etc/passwd/child", "relative-missing", "", "/tmp", "/bin/sh"]
    + ["dir", "; rm -rf ", "-rf", "new\nline", "back\\slash", "plain", "link", "dangling", "missing"].map {
      folder + "/" + $0
    }

  /// The shells the fused scripts must work under; each must be installed (scripts/test.sh).
  static let shells: [[String]] = [["dash"], ["bash"], ["busybox", "sh"]]

  /// Runs `command` with `sh` replaced by `shell`.
  private func run(_ command: ProbeCommand, shell: [String]) throws -> CommandOutput {
    var argv = command.argv
    if argv.first == "sh" { argv = shell + argv.dropFirst() }
    return try ChildProcess.run(ProbeCommand(argv, stdin: command.stdin), timeout: .seconds(20)).get()
  }

  /// Fuses `commands` as the runner would for a remote host, runs the fused command under
  /// `shell` and checks each part against the command run on its own.
  private func expectSameAsAlone(
    _ commands: [ProbeCommand], shell: [String], compareStderr: Bool = false,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    let plan = FusionPlan(commands)
    #expect(plan.commands.count == 1, "\(plan.commands)", sourceLocation: sourceLocation)
    let fused = try #require(plan.commands.first)
    let parts = plan.results(of: fused, .success(try run(fused, shell: shell)))
    #expect(parts.map(\.0) == commands, sourceLocation: sourceLocation)
    for (command, part) in parts {
      let alone = try run(command, shell: shell)
      let got = try part.get()
      #expect(got.exitStatus == alone.exitStatus, "\(shell) \(command)", sourceLocation: sourceLocation)
      #expect(
        got.stdout == alone.stdout, "\(shell) \(command): \(got) vs \(alone)", sourceLocation: sourceLocation)
      if compareStderr {
        #expect(got.stderr == alone.stderr, "\(shell) \(command)", sourceLocation: sourceLocation)
      }
    }
  }

  @Test("one stat for every path; a missing or hostile path answers for itself", arguments: shells)
  func stat(_ shell: [String]) throws {
    try expectSameAsAlone(Self.paths.map(FileProbe.stat), shell: shell)
  }

  @Test("one sha256sum for every digest; readlink of every link in one shell", arguments: shells)
  func digestsAndLinks(_ shell: [String]) throws {
    let files = ["plain", "-rf", "; rm -rf ", "link"].map { Self.folder + "/" + $0 }
    try expectSameAsAlone(files.map { ProbeCommand(["sha256sum", "--", $0]) }, shell: shell)
    let links = ["link", "dangling", "plain", "missing"].map { Self.folder + "/" + $0 } + ["/bin/sh"]
    try expectSameAsAlone(links.map { ProbeCommand(["readlink", "--", $0]) }, shell: shell)
  }

  @Test("one getent per database and one loop of id for every account", arguments: shells)
  func accounts(_ shell: [String]) throws {
    let users = ["root", "no-such-user", "-x", "; rm -rf /", "0", "daemon", "root", "new\nline", "nobody"]
    try expectSameAsAlone(users.map { ProbeCommand(["getent", "passwd", "--", $0]) }, shell: shell)
    try expectSameAsAlone(
      ["root", "nogroup", "missing-group", "42", "-g"].map { ProbeCommand(["getent", "group", "--", $0]) },
      shell: shell)
    try expectSameAsAlone(users.map { ProbeCommand(["id", "-Gn", "--", $0]) }, shell: shell)
  }

  @Test("kernel files are read by builtins: content, a missing sysctl, a directory", arguments: shells)
  func kernelFiles(_ shell: [String]) throws {
    let files = [
      "/proc/sys/kernel/ostype", "/proc/sys/kernel/no_such_key", "/proc/mounts", "/proc/sys/net",
      "/proc/sys/net/ipv4/ip_local_port_range", "/sys/class/net/lo/mtu",
    ]
    try expectSameAsAlone(files.map { ProbeCommand(["cat", $0]) }, shell: shell, compareStderr: true)
    #expect(
      FusionPlan([ProbeCommand(["cat", "/proc/1/cmdline"]), ProbeCommand(["cat", "/proc/sys/../x"])]).commands
        .count == 2)
  }

  @Test("a fused probe that fails fails each of its members with its error, and a broken split is refused")
  func failures() throws {
    let commands = ["root", "daemon"].map { ProbeCommand(["getent", "passwd", "--", $0]) }
    let plan = FusionPlan(commands)
    let fused = try #require(plan.commands.first)
    let timedOut = ProbeError.timedOut(command: fused.description, after: .seconds(1))
    #expect(
      plan.results(of: fused, .failure(timedOut)).map { $0.1 } == [.failure(timedOut), .failure(timedOut)])
    // An entry no key asked for: the output is not what the split expects; nothing is guessed.
    let stray = CommandOutput(exitStatus: 0, stdout: Array("mallory:x:0:0::/:/bin/sh\n".utf8), stderr: [])
    for (_, result) in plan.results(of: fused, .success(stray)) {
      guard case .failure(.unexpectedOutput) = result else {
        Issue.record("expected unexpectedOutput, got \(result)")
        continue
      }
    }
  }

  @Test("single subjects, other commands and locally native ones run as they are, in order")
  func planning() {
    let alone = ProbeCommand(["getent", "group", "--", "root"])
    let command = ProbeCommand(["uname", "-s"])
    let stats = ["/a", "/b"].map(FileProbe.stat)
    let plan = FusionPlan([stats[0], alone, command, stats[1]])
    #expect(plan.commands.count == 3)
    #expect(plan.commands[1] == alone)
    #expect(plan.commands[2] == command)
    #expect(plan.commands[0].argv.suffix(2) == ["/a", "/b"])
    let local = FusionPlan([stats[0], alone, command, stats[1]], keep: LocalTransport().runsUnfused)
    #expect(local.commands == [stats[0], alone, command, stats[1]])
    let many = (0..<600).map { FileProbe.stat("/f\($0)") }
    #expect(FusionPlan(many).commands.count == 3)
  }

  @Test("the runner fuses for the local transport too: one getent for every user, results per check")
  func localRun() async throws {
    let checks =
      User("root").exists().uid(0).__chain.checks + User("no-such-user-\(getpid())").exists().__chain.checks
      + User("daemon").uid(1).__chain.checks + Group("root").gid(0).__chain.checks
      + Group("no-such-group-\(getpid())").exists().__chain.checks
    let words = Mutex<[String]>([])
    _ = await HostRunner(transport: LocalTransport(), checks: checks, options: RunOptions()).run { event in
      if case .checkFinished(let result) = event { words.withLock { $0.append(result.outcome.word) } }
    }
    // A missing user or group fails its own check only.
    #expect(
      words.withLock { $0 } == [
        "passed", "passed", "failed", "passed", "passed", "failed",
      ])
    let commands = checks.compactMap {
      try? $0.plan(HostProfile.detect(osRelease: "ID=debian\n", initComm: ""))
    }
    .flatMap(\.commands)
    let fused = FusionPlan(Array(Set(commands)), keep: LocalTransport().runsUnfused)
    #expect(fused.commands.filter { $0.argv.first == "getent" }.count == 2)
  }
}
