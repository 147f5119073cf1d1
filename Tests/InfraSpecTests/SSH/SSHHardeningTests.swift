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

#if canImport(Glibc)
  import Glibc
#endif

/// Issue 9's faults over SSH, each against a real sshd on loopback.
@Suite("SSH hardening against a real sshd", .serialized)
struct SSHHardeningTests {
  private func collect(_ stream: AsyncStream<(ProbeCommand, Result<CommandOutput, ProbeError>)>) async
    -> [ProbeCommand: Result<CommandOutput, ProbeError>]
  {
    var results: [ProbeCommand: Result<CommandOutput, ProbeError>] = [:]
    for await (command, result) in stream { results[command] = result }
    return results
  }

  private func text(_ result: Result<CommandOutput, ProbeError>?) -> String? {
    guard case .success(let output)? = result else { return nil }
    return String(decoding: output.stdout, as: UTF8.self)
  }

  /// Waits up to `limit` for `condition`, checking every 50 ms.
  private func eventually(within limit: Duration, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      if condition() { return true }
      try await Task.sleep(for: .milliseconds(50))
    }
    return condition()
  }

  private func connectError(_ body: () async throws -> Void) async -> ProbeError? {
    do {
      try await body()
      return nil
    } catch {
      return error as? ProbeError ?? .other("not a probe error: \(error)")
    }
  }

  @Test(
    "a changed or revoked host key is refused by both transports with one message, even with StrictHostKeyChecking no",
    arguments: ["changed", "revoked"])
  func hostKeyRefusedByBoth(kind: String) async throws {
    let server = try await SSHServerFixture.start(.init(hostKeyTypes: ["ed25519"]))
    defer { server.stop() }
    let real = Data(try server.hostKey("ed25519").blob).base64EncodedString()
    // Another ed25519 key stands for the key the host had before it "changed".
    let other = try String(contentsOfFile: server.clientKey("ed25519") + ".pub", encoding: .utf8)
      .split(separator: " ")[1]
    let known =
      kind == "changed"
      ? "\(server.knownHostsName) ssh-ed25519 \(other)\n"
      : "\(server.knownHostsName) ssh-ed25519 \(real)\n@revoked * ssh-ed25519 \(real)\n"
    try known.write(toFile: server.knownHostsFile, atomically: true, encoding: .utf8)
    try "Host *\n  StrictHostKeyChecking no\n".write(
      toFile: server.directory + "/ssh_config", atomically: true, encoding: .utf8)
    var options = server.options()
    options.configFile = server.directory + "/ssh_config"
    let libssh2 = await connectError {
      let ssh = try await SSHTransport(target: server.target, options: options)
      await ssh.close()
    }
    let openssh = await connectError {
      let ssh = try await OpenSSHTransport(target: server.target, options: options)
      await ssh.close()
    }
    let expected = kind == "changed" ? "HOST KEY CHANGED for \(server.knownHostsName): " : "host key of "
    guard case .connection(let message)? = libssh2 else {
      Issue.record("libssh2 connected to a host whose key is \(kind)")
      return
    }
    #expect(message.hasPrefix(expected))
    #expect(openssh == libssh2)
  }

  @Test("sudo: the password travels on a pipe only and is in no file on the host")
  func sudoPasswordOnPipe() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let secret = "infraspec-secret-\(UInt32.random(in: 0...UInt32.max))"
    var options = server.options()
    options.sudo = SudoOptions(user: "nobody", environment: ["INFRASPEC_SUDO_PASSWORD": secret])
    let sudo = try await SSHTransport(target: server.target, options: options)
    let plain = try await SSHTransport(target: server.target, options: server.options())
    let stdin = ProbeCommand(["sh", "-c", "readlink /proc/self/fd/0; sleep 1.5"], stdin: [1])
    async let sudoResults = collect(sudo.runAll([stdin], timeout: .seconds(10)))
    try await Task.sleep(for: .milliseconds(700))
    // While the sudo probe runs, nothing under the host's temporary directories holds the secret.
    let search = try await plain.run(
      // Small files written in the last minutes, where the batch kept probe input before.
      ProbeCommand([
        "sh", "-c",
        "find /tmp /var/tmp /dev/shm -xdev -maxdepth 3 -type f -mmin -5 -size -4k "
          + "-exec grep -lsF -- \"$1\" {} + 2>/dev/null; true",
        "sh", secret,
      ]),
      timeout: .seconds(30))
    #expect(String(decoding: search.stdout, as: UTF8.self) == "")
    let results = await sudoResults
    #expect(text(results[stdin])?.hasPrefix("pipe:[") == true)
    #expect(!"\(results)".contains(secret))
    await sudo.close()
    await plain.close()
  }

  @Test("a stopped batch leaves no process on the host within two seconds, over both transports")
  func remoteWorkStops() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    // libssh2: the reader stops listening (Ctrl-C cancels the run's tasks).
    let ssh = try await SSHTransport(target: server.target, options: server.options())
    let marker = "971.5"
    let task = Task {
      await collect(
        ssh.runAll(
          [ProbeCommand(["sleep", marker]), ProbeCommand(["sleep", marker])], timeout: .seconds(60)))
    }
    #expect(
      try await eventually(within: .seconds(5)) {
        !SSHServerFixture.processes(containing: "sleep \(marker)").isEmpty
      })
    task.cancel()
    _ = await task.value
    #expect(
      try await eventually(within: .seconds(2)) {
        SSHServerFixture.processes(containing: "sleep \(marker)").isEmpty
      })
    await ssh.close()

    // OpenSSH: the ssh client is killed outright, as a dying runner's would be.
    let openssh = try await OpenSSHTransport(target: server.target, options: server.options())
    let stream = openssh.runAll([ProbeCommand(["sleep", marker])], timeout: .seconds(60))
    let reader = Task { await collect(stream) }
    #expect(
      try await eventually(within: .seconds(5)) {
        !SSHServerFixture.processes(containing: "sleep \(marker)").isEmpty
      })
    for pid in SSHServerFixture.processes(containing: "ControlMaster=no")
    where SSHServerFixture.commandLine(pid).contains("-p \(server.port) ") {
      kill(pid, SIGKILL)
    }
    #expect(
      try await eventually(within: .seconds(2)) {
        SSHServerFixture.processes(containing: "sleep \(marker)").isEmpty
      })
    _ = await reader.value
    await openssh.close()

    // The connection itself drops (sshd's session processes die): the batch notices on its own.
    let dropped = try await SSHTransport(target: server.target, options: server.options())
    let lost = Task {
      await collect(dropped.runAll([ProbeCommand(["sleep", marker])], timeout: .seconds(60)))
    }
    #expect(
      try await eventually(within: .seconds(5)) {
        !SSHServerFixture.processes(containing: "sleep \(marker)").isEmpty
      })
    server.dropConnections()
    #expect(
      try await eventually(within: .seconds(2)) {
        SSHServerFixture.processes(containing: "sleep \(marker)").isEmpty
      })
    _ = await lost.value
    await dropped.close()
    #expect(try await eventually(within: .seconds(2)) { server.sessionProcesses.isEmpty })
  }

  @Test("a probe's stdin is /dev/null, and a command's own exit 127 is checked as written")
  func stdinAndOwn127() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let stdin = ProbeCommand(["readlink", "/proc/self/fd/0"])
    let own127 = ProbeCommand(["sh", "-c", "echo 'frob: not found' >&2; exit 127"])
    let missing = ProbeCommand(["no-such-command-infraspec"])
    let ssh = try await SSHTransport(target: server.target, options: server.options())
    let openssh = try await OpenSSHTransport(target: server.target, options: server.options())
    for transport in [ssh, openssh] as [any Transport] {
      let results = await collect(transport.runAll([stdin, own127, missing], timeout: .seconds(10)))
      #expect(text(results[stdin]) == "/dev/null\n")
      #expect(
        results[own127]
          == .success(CommandOutput(exitStatus: 127, stdout: [], stderr: Array("frob: not found\n".utf8))))
      #expect(results[missing] == .failure(.commandNotFound("no-such-command-infraspec")))
    }
    await ssh.close()
    await openssh.close()
  }

  @Test("output past 64 MiB is refused and the probe killed on the host; no output touches its disk")
  func outputLimit() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let ssh = try await SSHTransport(target: server.target, options: server.options())
    let openssh = try await OpenSSHTransport(target: server.target, options: server.options())
    // Endless output: only a kill on the host ends it before its timeout.
    let endless = ProbeCommand(["sh", "-c", "exec yes infraspec-output-limit"])
    // The host's view while a probe writes: where its standard output goes.
    let watch = ProbeCommand(["sh", "-c", "ls -l /proc/$$/fd/1 | sed 's/.*-> //'"])
    for transport in [ssh, openssh] as [any Transport] {
      let start = ContinuousClock.now
      let results = await collect(transport.runAll([endless, watch], timeout: .seconds(60)))
      #expect(results[endless] == .failure(.other("output of \(endless) exceeds 64 MiB")))
      #expect(ContinuousClock.now - start < .seconds(20))
      #expect(text(results[watch])?.hasPrefix("pipe:[") == true)
      #expect(SSHServerFixture.processes(containing: "yes infraspec-output-limit") == [])
    }
    await ssh.close()
    await openssh.close()
  }

  @Test("waiting for a channel slot is queueing, not part of a stream's timeout")
  func slotWaitIsNotTimeout() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let ssh = try await SSHTransport(target: server.target, options: server.options())
    var held: [SSHTCPStream] = []
    for _ in 0..<SSHConnection.maximumChannels {
      held.append(try await ssh.openTCPStream(host: "127.0.0.1", port: server.port, timeout: .seconds(5)))
    }
    let release = Task {
      try await Task.sleep(for: .milliseconds(800))
      for stream in held { stream.close() }
    }
    let queued = try await ssh.openTCPStream(
      host: "127.0.0.1", port: server.port, timeout: .milliseconds(300))
    #expect(try await queued.receive(count: 8, timeout: .seconds(5)) == Array("SSH-2.0-".utf8))
    queued.close()
    try await release.value
    await ssh.close()
  }

  @Test("MaxSessions 0 is reported within two seconds")
  func maxSessionsZero() async throws {
    let server = try await SSHServerFixture.start(.init(maxSessions: 0))
    defer { server.stop() }
    let ssh = try await SSHTransport(target: server.target, options: server.options())
    let start = ContinuousClock.now
    await #expect(
      throws: ProbeError.connection(
        "root@127.0.0.1:\(server.port) refuses to open any session channel (sshd MaxSessions 0?)")
    ) {
      try await ssh.run(ProbeCommand(["true"]), timeout: .seconds(10))
    }
    #expect(ContinuousClock.now - start < .seconds(2))
    await ssh.close()
  }

  @Test("every ssh starts with a clean signal mask, so the master stops on SIGTERM")
  func cleanSignalMask() async throws {
    // Started from a thread that blocks the signals an interrupted run sends.
    var blocked = sigset_t()
    sigemptyset(&blocked)
    for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM] { sigaddset(&blocked, signal) }
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &blocked, &previous)
    let status = ResultSlot<String>()
    var output: [UInt8] = []
    _ = try SSHClientProcess.start(
      ["sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status"], environment: [:], input: [],
      onStdout: { output += $0 }, onStderr: { _ in },
      onExit: { _ in status.fill(String(decoding: output, as: UTF8.self)) })
    pthread_sigmask(SIG_SETMASK, &previous, nil)
    let text = await withCheckedContinuation { continuation in
      status.onFill { continuation.resume(returning: $0) }
    }
    // glibc keeps its two internal real-time signals (32, 33) as they are; every other is default.
    let masks = text.split(separator: "\n").map { UInt64($0.split(separator: "\t")[1], radix: 16) ?? 1 }
    #expect(masks.count == 2)
    #expect(masks.first == 0)
    #expect(masks.last.map { $0 & 0x7fff_ffff } == 0)

    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let openssh = try await OpenSSHTransport(target: server.target, options: server.options())
    let masters = SSHServerFixture.processes(containing: "ControlMaster=yes").filter {
      SSHServerFixture.commandLine($0).contains("-p \(server.port) ")
    }
    #expect(masters.count == 1)
    #expect(masters.allSatisfy { SSHClientProcess.runningPIDs.contains($0) })
    for master in masters { kill(master, SIGTERM) }
    #expect(try await eventually(within: .seconds(2)) { masters.allSatisfy { kill($0, 0) != 0 } })
    await openssh.close()
  }
}
