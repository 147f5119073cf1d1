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

/// `Process` counts the host's processes, not InfraSpec's own: `ps` itself, the shells and
/// watchdogs of a remote batch, and locally the spec binary's children.
@Suite("process probe leaves out InfraSpec's own processes", .serialized)
struct ProcessProbeTests {
  /// A program named `name` (a link to `sleep`: the kernel takes `comm` from the link's name).
  static func marker() throws -> (name: String, path: String) {
    let name = "isp" + UUID().uuidString.prefix(8).lowercased()
    let path = NSTemporaryDirectory() + name
    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/bin/sleep")
    return (name, path)
  }

  /// Starts `path seconds` detached from this process: `sh`, in a session of its own (`setsid -w`
  /// waits for it, so the new session exists before the spawn's process group is cleaned up),
  /// starts it in the background and exits at once, so it is nobody's child here.
  static func startForeign(_ path: String, seconds: Int) throws {
    // Its output goes nowhere, so the spawn does not wait for the pipes it would hold open.
    let printed = try Shell.must([
      "setsid", "-w", "sh", "-c", "\"$0\" \"$1\" </dev/null >/dev/null 2>&1 & echo $!", path, String(seconds),
    ])
    guard let pid = Int32(printed.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      throw SetupError("no pid from sh: \(printed)")
    }
    // Until `sh`'s fork has exec'd, the process is named `sh`: read its name straight from /proc
    // (spawning pgrep in a loop was too slow under a full parallel suite on 2 cores).
    let name = URL(fileURLWithPath: path).lastPathComponent
    for _ in 0..<300 {
      let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)
      if comm?.trimmingCharacters(in: .whitespacesAndNewlines) == name { return }
      usleep(50_000)
    }
    throw SetupError("\(name) did not start")
  }

  @Test("a recorded batch: ps, its shell, the batch's sh -s and its watchdog are left out")
  func recordedBatch() throws {
    let text = String(decoding: try ProbeFamilyTests.fixture("alpine3.20/infraspec-ps.out"), as: UTF8.self)
    let left = ProcessProbe.withoutOwnProcesses(try ProcessProbe.parse(text), local: (pid: -1, command: ""))
    #expect(left.map(\.command) == ["init", "sshd", "crond", "nginx"])
  }

  @Test("busybox's ps, sent exactly the probe's argv, gives a table the parser reads, with its own pid")
  func busyboxLive() async throws {
    let busybox = try #require(
      ["/usr/bin/busybox", "/bin/busybox"].first { FileManager.default.isExecutableFile(atPath: $0) },
      "busybox is not installed (apt-get install busybox)")
    // `ps` on PATH is busybox's applet, as on Alpine; the argv is the probe's, not a lookalike.
    let folder = NSTemporaryDirectory() + "infraspec-busybox-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createSymbolicLink(atPath: folder + "/ps", withDestinationPath: busybox)
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = folder + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    let output = try await ChildProcess.runOffPool(
      ProcessProbe.command.argv, environment: Subprocess.environment(environment), timeout: .seconds(30),
      ownGroup: true
    ).get()
    #expect(output.exitStatus == 0, "\(output.stderrText)")
    let table = try ProcessProbe.parse(output.stdoutText)
    let own = try #require(table.own)
    // The pid the shell printed is busybox's ps itself (exec), listed under its applet name.
    #expect(table.entries.first { $0.pid == own }?.command == "ps", "\(output.stdoutText)")
    #expect(table.entries.contains { $0.pid == Int(getpid()) }, "this test process is listed")
    #expect(table.entries.count > 3)
  }

  @Test("locally: a child of this process is ours, a detached process of the same name is not")
  func local() async throws {
    let (name, path) = try Self.marker()
    defer { unlink(path) }
    let child = try Subprocess.spawn([path, "30"])
    defer { child.terminate() }
    let before = await ProbeFamilyTests.messages(
      Process(name).isNotRunning().__chain.checks + Process("ps").isNotRunning().__chain.checks,
      on: LocalTransport())
    #expect(before.first == "process \(name): is not running")

    let (foreignName, foreignPath) = try Self.marker()
    defer { unlink(foreignPath) }
    // Long enough to outlive a slow probe on a loaded machine; killed by name right after.
    try Self.startForeign(foreignPath, seconds: 120)
    defer { _ = try? Shell.run(["pkill", "-x", URL(fileURLWithPath: foreignPath).lastPathComponent]) }
    let after = await ProbeFamilyTests.messages(
      Process(foreignName).isRunning().__chain.checks, on: LocalTransport())
    #expect(after == ["process \(foreignName): is running"])
  }

  @Test("over SSH: a probe of the same batch is ours, a process started elsewhere is not")
  func overSSH() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let (name, path) = try Self.marker()
    defer { unlink(path) }
    let (foreignName, foreignPath) = try Self.marker()
    defer { unlink(foreignPath) }
    try Self.startForeign(foreignPath, seconds: 10)
    let ssh = try await SSHTransport(target: server.target, options: server.options())
    // The batch runs both at once: the marker sleeps while `ps` lists the processes.
    let checks =
      Command([path, "1"]).exitStatus(0).__chain.checks
      + Process(name).isNotRunning().__chain.checks + Process(foreignName).isRunning().__chain.checks
    let messages = await ProbeFamilyTests.messages(checks, on: ssh)
    await ssh.close()
    #expect(
      messages == [
        "command \(ProbeCommand([path, "1"])): exit status 0", "process \(name): is not running",
        "process \(foreignName): is running",
      ])
  }
}
