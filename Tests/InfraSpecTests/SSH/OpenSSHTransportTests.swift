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

@Suite("OpenSSH client transport against a real sshd", .serialized)
struct OpenSSHTransportTests {
  @Test("batches through one ControlMaster connection, with an RSA key libssh2 cannot use")
  func batchWithRSAKey() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let ssh = try await OpenSSHTransport(target: server.target, options: server.options(identity: "rsa"))
    let commands = [
      ProbeCommand(["stat", "-c", "%a", "/etc/passwd"]),
      ProbeCommand(["printf", "%s", "$(touch \(server.directory)/pwned); rm -rf /"]),
      ProbeCommand(["cat"], stdin: [0, 1, 2, 255]),
      ProbeCommand(["no-such-command-infraspec"]),
    ]
    var results: [ProbeCommand: Result<CommandOutput, ProbeError>] = [:]
    for await (command, result) in ssh.runAll(commands, timeout: .seconds(10)) { results[command] = result }
    #expect(try results[commands[0]]?.get().stdout == Array("644\n".utf8))
    #expect(
      try results[commands[1]]?.get().stdout == Array("$(touch \(server.directory)/pwned); rm -rf /".utf8))
    #expect(try results[commands[2]]?.get().stdout == [0, 1, 2, 255])
    #expect(results[commands[3]] == .failure(.commandNotFound("no-such-command-infraspec")))
    #expect(!FileManager.default.fileExists(atPath: server.directory + "/pwned"))
    let output = try await ssh.run(
      ProbeCommand(["sh", "-c", "head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2"]),
      timeout: .seconds(30))
    #expect(output.stdout.count == 3_000_000 && output.stderr.count == 3_000_000)
    await #expect(throws: ProbeError.timedOut(command: "sleep 876.5", after: .milliseconds(500))) {
      try await ssh.run(ProbeCommand(["sleep", "876.5"]), timeout: .milliseconds(500))
    }
    try await Task.sleep(for: .milliseconds(200))
    #expect(SSHServerFixture.processes(containing: "sleep 876.5") == [])
    await ssh.close()
    await #expect(throws: ProbeError.connection("SSH connection to 127.0.0.1 is closed")) {
      try await ssh.run(ProbeCommand(["true"]), timeout: .seconds(5))
    }
  }

  @Test("an unknown host key stops the master connection with ssh's own words")
  func unknownHostKey() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    try "".write(toFile: server.knownHostsFile, atomically: true, encoding: .utf8)
    do {
      let ssh = try await OpenSSHTransport(target: server.target, options: server.options())
      await ssh.close()
      Issue.record("connected to a host with an unknown key")
    } catch {
      guard case .connection(let message) = error else { throw error }
      #expect(message.hasPrefix("ssh to \(server.target) failed (exit status 255): "))
      #expect(message.contains("Host key verification failed."))
    }
  }
}
