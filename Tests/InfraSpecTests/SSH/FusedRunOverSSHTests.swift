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

/// The runner's fusion over both SSH transports: checks keep their own verdicts, a missing
/// subject fails only its own checks, and hostile names stay data inside the fused commands.
@Suite("fused probes over SSH", .serialized)
struct FusedRunOverSSHTests {
  @Test("one missing file or user fails its own checks only; hostile names run nothing")
  func perCheckResults() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let folder = NSTemporaryDirectory() + "isp-fused-\(getpid())"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // A file name cannot hold a slash: the canary is relative to wherever a shell would run it.
    let canary = "isp-pwned-\(getpid())"
    let hostile = ["; touch \(canary)", "$(touch \(canary))", "-rf", "new\nline `touch \(canary)`"]
    for name in hostile {
      FileManager.default.createFile(atPath: folder + "/" + name, contents: Data("x\n".utf8))
    }
    let checks =
      File("/etc/passwd").exists().isFile().__chain.checks
      + File(folder + "/missing").exists().__chain.checks
      + hostile.flatMap { File(folder + "/" + $0).exists().isFile().__chain.checks }
      + File(folder + "/-rf").sha256("6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b")
      .__chain.checks
      + File("/etc/group").sha256(try Self.sha256("/etc/group")).__chain.checks
      + User("root").exists().uid(0).__chain.checks + User("no-such-user-\(getpid())").exists().__chain.checks
      + Group("root").gid(0).__chain.checks
      + Sysctl("kernel.ostype").value("Linux").__chain.checks
      + Sysctl("kernel.no_such_key_\(getpid())").value("1").__chain.checks
    let expected =
      ["passed", "passed", "failed"] + Array(repeating: "passed", count: hostile.count * 2)
      + ["failed", "passed", "passed", "passed", "failed", "passed", "passed", "failed"]
    let transports: [any Transport] = [
      try await SSHTransport(target: server.target, options: server.options()),
      try await OpenSSHTransport(target: server.target, options: server.options()),
    ]
    for transport in transports {
      let words = Mutex<[String]>([])
      _ = await HostRunner(transport: transport, checks: checks, options: RunOptions()).run { event in
        if case .checkFinished(let result) = event { words.withLock { $0.append(result.outcome.word) } }
      }
      #expect(words.withLock { $0 } == expected, "\(transport)")
      await transport.close()
    }
    for directory in [NSHomeDirectory(), FileManager.default.currentDirectoryPath, "/"] {
      #expect(!FileManager.default.fileExists(atPath: directory + "/" + canary))
    }
    // What the runner sent: one stat, one sha256sum, one awk for the sysctls.
    let profile = HostProfile.detect(osRelease: "ID=debian\n", initComm: "systemd\n")
    let commands = Array(Set(checks.compactMap { try? $0.plan(profile) }.flatMap(\.commands)))
    let fused = FusionPlan(commands, keep: transports[0].runsUnfused).commands
    #expect(fused.filter { $0.argv.contains(FileProbe.fusedStatScript) }.count == 1)
    #expect(fused.filter { $0.argv.first == "sh" && $0.argv.last?.hasPrefix("/proc/sys") == true }.count == 1)
  }

  @Test("over SSH each check's time is its own probe's time: a slow command's, not the batch's so far")
  func ownTimes() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    // One slow command among quick ones, in one batch: before each probe carried its own
    // duration, every check after the slow one was charged the time since the batch began.
    let checks =
      Command("true").exitStatus(0).__chain.checks + Command("sleep 0.4").exitStatus(0).__chain.checks
      + Command("echo a").stdout(contains: "a").__chain.checks
      + Command("echo b").stdout(contains: "b").__chain.checks
    let transports: [any Transport] = [
      try await SSHTransport(target: server.target, options: server.options()),
      try await OpenSSHTransport(target: server.target, options: server.options()),
    ]
    for transport in transports {
      let times = Mutex<[String: Double]>([:])
      let started = ContinuousClock.now
      _ = await HostRunner(transport: transport, checks: checks, options: RunOptions()).run { event in
        if case .checkFinished(let result) = event {
          times.withLock { $0[result.subject] = result.durationMilliseconds }
        }
      }
      let wall = (ContinuousClock.now - started) / .milliseconds(1)
      let recorded = times.withLock { $0 }
      #expect(recorded.count == 4, "\(recorded)")
      let slow = try #require(recorded.first { $0.key.contains("sleep") }?.value)
      // Measured between the markers as they reach the reader: a few ms either side of 400.
      #expect(slow >= 350, "\(transport): \(recorded)")
      for (subject, time) in recorded where !subject.contains("sleep") {
        #expect(time < 300, "\(transport): \(subject) took \(time) ms: \(recorded)")
      }
      #expect(recorded.values.reduce(0, +) <= wall, "\(transport): \(recorded) in \(wall) ms")
      await transport.close()
    }
  }

  static func sha256(_ path: String) throws -> String {
    let output = try ChildProcess.run(ProbeCommand(["sha256sum", "--", path]), timeout: .seconds(10)).get()
    return String(String(decoding: output.stdout, as: UTF8.self).prefix(64))
  }
}
