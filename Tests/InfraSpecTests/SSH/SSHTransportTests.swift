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

@Suite("SSH transport against a real sshd", .serialized)
struct SSHTransportTests {
  private func withServer(
    _ configuration: SSHServerFixture.Configuration = .init(),
    _ body: (SSHServerFixture) async throws -> Void
  ) async throws {
    let server = try await SSHServerFixture.start(configuration)
    defer { server.stop() }
    try await body(server)
  }

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

  @Test("run executes one command and returns its output and exit status")
  func runOne() async throws {
    try await withServer { server in
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      let output = try await ssh.run(
        ProbeCommand(["sh", "-c", "echo out; echo err >&2; exit 3"]), timeout: .seconds(10))
      #expect(
        output == CommandOutput(exitStatus: 3, stdout: Array("out\n".utf8), stderr: Array("err\n".utf8)))
      #expect(ssh.hostName == "127.0.0.1")
      await ssh.close()
    }
  }

  @Test("runAll runs a batch in one exec: each probe has its own output, stdin and exit status")
  func batch() async throws {
    try await withServer { server in
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      let binary: [UInt8] = Array("\n#IS1 0 0 0 5 5\n".utf8) + [0, 255, 10, 13]
      let commands = [
        ProbeCommand(["cat", "/proc/loadavg"]),
        ProbeCommand(["stat", "-c", "%a", "/etc/passwd"]),
        ProbeCommand(["sh", "-c", "exit 7"]),
        ProbeCommand(["cat"], stdin: binary),
        ProbeCommand(["sh", "-c", "printf '\\n#IS1 9 9 9 9 9\\n' >&2; echo x"]),
        ProbeCommand(["no-such-command-infraspec"]),
        ProbeCommand(["true"]),
      ]
      let results = await collect(ssh.runAll(commands, timeout: .seconds(10)))
      #expect(results.count == commands.count)
      #expect(text(results[commands[1]]) == "644\n")
      #expect(try results[commands[2]]?.get().exitStatus == 7)
      #expect(try results[commands[3]]?.get().stdout == binary)
      #expect(
        try results[commands[4]]?.get()
          == CommandOutput(exitStatus: 0, stdout: Array("x\n".utf8), stderr: Array("\n#IS1 9 9 9 9 9\n".utf8))
      )
      #expect(results[commands[5]] == .failure(.commandNotFound("no-such-command-infraspec")))
      #expect(try results[commands[6]]?.get() == CommandOutput(exitStatus: 0, stdout: [], stderr: []))
      await ssh.close()
    }
  }

  @Test("hostile arguments stay data: ; rm -rf /, $(...), backticks, quotes and newlines")
  func hostileNames() async throws {
    try await withServer { server in
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      let witness = server.directory + "/pwned"
      let hostile = [
        "; rm -rf /", "$(touch \(witness))", "`touch \(witness)`", "a'b\"c", "line\nbreak; touch \(witness)",
        "$HOME", "*", "-n", "", "| touch \(witness)", "&& touch \(witness) #",
      ]
      let commands = hostile.map { ProbeCommand(["printf", "%s", $0]) }
      let results = await collect(ssh.runAll(commands, timeout: .seconds(10)))
      for (command, value) in zip(commands, hostile) {
        #expect(text(results[command]) == value)
      }
      #expect(
        text(
          .success(
            try await ssh.run(ProbeCommand(["printf", "%s", "$(touch \(witness))"]), timeout: .seconds(5))))
          == "$(touch \(witness))")
      #expect(!FileManager.default.fileExists(atPath: witness))
      await ssh.close()
    }
  }

  @Test("several MiB of stdout and stderr at once do not deadlock, in run and in a batch")
  func hugeOutput() async throws {
    try await withServer { server in
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      let command = ProbeCommand([
        "sh", "-c", "head -c 6000000 /dev/zero; head -c 5000000 /dev/zero >&2; head -c 3000000 /dev/zero",
      ])
      let output = try await ssh.run(command, timeout: .seconds(60))
      #expect(output.stdout.count == 9_000_000)
      #expect(output.stderr.count == 5_000_000)
      let small = ProbeCommand(["echo", "after"])
      let results = await collect(ssh.runAll([command, small], timeout: .seconds(60)))
      #expect(try results[command]?.get().stdout.count == 9_000_000)
      #expect(try results[command]?.get().stderr.count == 5_000_000)
      #expect(text(results[small]) == "after\n")
      await ssh.close()
    }
  }

  @Test("a probe past its timeout is killed on the host with its whole process group")
  func remoteTimeout() async throws {
    try await withServer { server in
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      let marker = "987.654"
      let slow = ProbeCommand(["sh", "-c", "sleep \(marker) & sleep \(marker); echo never"])
      let fast = ProbeCommand(["echo", "fast"])
      let start = ContinuousClock.now
      let results = await collect(ssh.runAll([slow, fast], timeout: .seconds(1)))
      #expect(ContinuousClock.now - start < .seconds(5))
      #expect(
        results[slow]
          == .failure(
            .timedOut(command: "sh -c 'sleep 987.654 & sleep 987.654; echo never'", after: .seconds(1))))
      #expect(text(results[fast]) == "fast\n")
      await #expect(throws: ProbeError.timedOut(command: slow.description, after: .milliseconds(500))) {
        try await ssh.run(slow, timeout: .milliseconds(500))
      }
      try await Task.sleep(for: .milliseconds(300))
      #expect(SSHServerFixture.processes(containing: "sleep \(marker)") == [])
      await ssh.close()
    }
  }

  @Test("MaxSessions 2: concurrent runs wait for a channel instead of failing")
  func maxSessions() async throws {
    try await withServer(.init(maxSessions: 2)) { server in
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      try await withThrowingTaskGroup(of: String.self) { group in
        for index in 0..<12 {
          group.addTask {
            let output = try await ssh.run(
              ProbeCommand(["sh", "-c", "sleep 0.1; echo \(index)"]), timeout: .seconds(20))
            return String(decoding: output.stdout, as: UTF8.self)
          }
        }
        group.addTask {
          let results = await self.collect(
            ssh.runAll([ProbeCommand(["echo", "batch"])], timeout: .seconds(20)))
          return self.text(results.values.first) ?? "failed"
        }
        var outputs: [String] = []
        for try await output in group { outputs.append(output) }
        #expect(Set(outputs) == Set((0..<12).map { "\($0)\n" } + ["batch\n"]))
      }
      await ssh.close()
    }
  }

  @Test("a direct-tcpip stream reaches a TCP service from the host's side")
  func directTCPIP() async throws {
    try await withServer { server in
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      let stream = try await ssh.openTCPStream(host: "127.0.0.1", port: server.port)
      #expect(try await stream.receive(count: 8) == Array("SSH-2.0-".utf8))
      try stream.send(Array("SSH-2.0-InfraSpecTest\r\n".utf8))
      stream.close()
      let closedPort = try SSHServerFixture.freePort()
      // The server's own refusal, named as such: not any error (a dead connection would pass too).
      do throws(ProbeError) {
        _ = try await ssh.openTCPStream(host: "127.0.0.1", port: closedPort)
        Issue.record("a stream to a closed port opened")
      } catch .connection(let message) {
        #expect(
          message.hasPrefix(
            "root@127.0.0.1:\(server.port) could not open a TCP connection to 127.0.0.1:\(closedPort) for InfraSpec ("
          ),
          "\(message)")
      } catch {
        Issue.record("expected the server's refusal, got \(error)")
      }
      #expect(
        text(.success(try await ssh.run(ProbeCommand(["echo", "still"]), timeout: .seconds(5)))) == "still\n")
      await ssh.close()
    }
  }

  @Test("the server dropping the connection mid-run fails every pending probe with a connection error")
  func serverDropsConnection() async throws {
    try await withServer { server in
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      let commands = (0..<5).map { ProbeCommand(["sleep", "3.\($0)"]) }
      let stream = ssh.runAll(commands, timeout: .seconds(30))
      Task {
        try await Task.sleep(for: .milliseconds(500))
        server.killSessions()
      }
      let start = ContinuousClock.now
      let results = await collect(stream)
      #expect(ContinuousClock.now - start < .seconds(10))
      #expect(results.count == 5)
      for result in results.values {
        guard case .failure(.connection(let message)) = result else {
          Issue.record("expected a connection error, got \(result)")
          continue
        }
        #expect(message.hasPrefix("connection to root@127.0.0.1:\(server.port) lost while "))
      }
      await #expect(throws: ProbeError.self) {
        try await ssh.run(ProbeCommand(["true"]), timeout: .seconds(5))
      }
      await ssh.close()
    }
  }

  @Test("close ends the connection; later calls fail with a connection error")
  func closeThenRun() async throws {
    try await withServer { server in
      let ssh = try await SSHTransport(target: server.target, options: server.options())
      await ssh.close()
      await #expect(
        throws: ProbeError.connection("SSH connection to root@127.0.0.1:\(server.port) is closed")
      ) {
        try await ssh.run(ProbeCommand(["true"]), timeout: .seconds(5))
      }
    }
  }

  @Test("sudo: probes run as another user, a password never reaches the probe, a prompt never hangs")
  func sudo() async throws {
    try await withServer { server in
      var options = server.options()
      options.sudo = SudoOptions(user: "nobody", environment: ["INFRASPEC_SUDO_PASSWORD": "unused-secret"])
      let ssh = try await SSHTransport(target: server.target, options: options)
      let whoami = ProbeCommand(["id", "-un"])
      let stdin = ProbeCommand(["cat"], stdin: [1, 2, 3])
      let prompt = ProbeCommand(["sudo", "-n", "true"])
      let missing = ProbeCommand(["no-such-command-infraspec"])
      let results = await collect(ssh.runAll([whoami, stdin, prompt, missing], timeout: .seconds(10)))
      #expect(text(results[whoami]) == "nobody\n")
      #expect(try results[stdin]?.get().stdout == [1, 2, 3])
      #expect(
        results[prompt]
          == .failure(
            .other("sudo asked for a password: set INFRASPEC_SUDO_PASSWORD or allow NOPASSWD for this user")))
      #expect(results[missing] == .failure(.commandNotFound("no-such-command-infraspec")))
      await ssh.close()
    }
  }
}
