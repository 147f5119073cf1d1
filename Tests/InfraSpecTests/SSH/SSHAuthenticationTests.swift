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

@Suite("SSH authentication and connection failures against a real sshd", .serialized)
struct SSHAuthenticationTests {
  private func connectError(_ target: String, _ options: SSHOptions) async -> ProbeError? {
    do {
      let ssh = try await SSHTransport(target: target, options: options)
      await ssh.close()
      return nil
    } catch {
      return error
    }
  }

  @Test("an ed25519 key file logs in")
  func ed25519() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    #expect(await connectError(server.target, server.options(identity: "ed25519")) == nil)
  }

  @Test("an encrypted ECDSA key logs in with INFRASPEC_SSH_PASSPHRASE, and says what is missing without it")
  func ecdsaWithPassphrase() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let options = server.options(
      identity: "ecdsa", environment: ["INFRASPEC_SSH_PASSPHRASE": SSHServerFixture.passphrase])
    #expect(await connectError(server.target, options) == nil)
    #expect(
      await connectError(server.target, server.options(identity: "ecdsa"))
        == .connection(
          """
          authentication as root on root@127.0.0.1:\(server.port) failed (the server accepts: publickey); tried:
            - \(server.clientKey("ecdsa")): encrypted; set INFRASPEC_SSH_PASSPHRASE
          """))
    let wrong = server.options(identity: "ecdsa", environment: ["INFRASPEC_SSH_PASSPHRASE": "wrong"])
    let wrongError = await connectError(server.target, wrong)
    #expect(
      wrongError
        == .connection(
          """
          authentication as root on root@127.0.0.1:\(server.port) failed (the server accepts: publickey); tried:
            - \(server.clientKey("ecdsa")) (ecdsa-sha2-nistp256): cannot be decrypted (wrong INFRASPEC_SSH_PASSPHRASE?)
          """))
  }

  @Test("the default identities in ~/.ssh are tried as OpenSSH does")
  func defaultIdentities() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let home = server.directory + "/home"
    try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: server.clientKey("ed25519"), toPath: home + "/.ssh/id_ed25519")
    #expect(await connectError(server.target, server.options(identity: nil)) == nil)
  }

  @Test("an RSA key is refused with the libssh2 limitation and the OpenSSH client as the way out")
  func rsaKey() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    #expect(
      await connectError(server.target, server.options(identity: "rsa"))
        == .connection(
          """
          authentication as root on root@127.0.0.1:\(server.port) failed (the server accepts: publickey); tried:
            - \(server.clientKey("rsa")): RSA key skipped: libssh2 1.10 cannot sign with RSA keys (no rsa-sha2-256/512)
          use an ed25519 or ECDSA key, or the OpenSSH client (--ssh-client openssh)
          """))
  }

  @Test("keys held by ssh-agent (SSH_AUTH_SOCK) log in")
  func agent() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let socket = server.directory + "/agent.sock"
    let agent = try SSHServerFixture.spawn("/usr/bin/ssh-agent", ["-D", "-a", socket])
    defer {
      kill(agent, SIGKILL)
      var status: Int32 = 0
      waitpid(agent, &status, 0)
    }
    for _ in 0..<50 where !FileManager.default.fileExists(atPath: socket) {
      try await Task.sleep(for: .milliseconds(20))
    }
    try SSHServerFixture.run(
      "/usr/bin/ssh-add", ["-q", server.directory + "/agent_ed25519"], environment: ["SSH_AUTH_SOCK": socket])
    let options = server.options(identity: nil, environment: ["SSH_AUTH_SOCK": socket])
    let ssh = try await SSHTransport(target: server.target, options: options)
    let output = try await ssh.run(ProbeCommand(["echo", "agent"]), timeout: .seconds(5))
    #expect(output.stdout == Array("agent\n".utf8))
    await ssh.close()
  }

  @Test("a password from INFRASPEC_SSH_PASSWORD logs in, and a wrong one is never printed")
  func password() async throws {
    let server = try await SSHServerFixture.start(.init(rootPassword: "s3cret-Pa55"))
    defer { server.stop() }
    let options = server.options(identity: nil, environment: ["INFRASPEC_SSH_PASSWORD": "s3cret-Pa55"])
    #expect(await connectError(server.target, options) == nil)
    let wrong = server.options(identity: nil, environment: ["INFRASPEC_SSH_PASSWORD": "not-the-password"])
    let error = await connectError(server.target, wrong)
    #expect(
      error
        == .connection(
          """
          authentication as root on root@127.0.0.1:\(server.port) failed (the server accepts: publickey, password); tried:
            - password from INFRASPEC_SSH_PASSWORD: rejected by the server
          """))
    #expect(error?.message.contains("not-the-password") == false)
  }

  @Test("a closed port fails at once with the reason")
  func closedPort() async throws {
    let port = try SSHServerFixture.freePort()
    var options = SSHOptions()
    options.configFile = "/nonexistent/ssh_config"
    options.knownHostsFile = "/nonexistent/known_hosts"
    options.environment = ["HOME": "/nonexistent", "USER": "root"]
    #expect(
      await connectError("root@127.0.0.1:\(port)", options)
        == .connection("cannot connect to 127.0.0.1:\(port): Connection refused"))
  }

  @Test("a server that accepts and never speaks times out cleanly")
  func silentServer() async throws {
    let listener = try SSHServerFixture.silentListener()
    defer { close(listener.descriptor) }
    var options = SSHOptions()
    options.configFile = "/nonexistent/ssh_config"
    options.knownHostsFile = "/nonexistent/known_hosts"
    options.connectTimeout = .seconds(1)
    options.environment = ["HOME": "/nonexistent", "USER": "root"]
    let start = ContinuousClock.now
    #expect(
      await connectError("root@127.0.0.1:\(listener.port)", options)
        == .connection(
          "timed out after 1s waiting for the SSH key exchange with root@127.0.0.1:\(listener.port)"))
    // The 1 s deadline held (the message says so); the bound only catches a hang, with room for
    // a loaded 2-core CI machine (4.7 s was seen there).
    #expect(ContinuousClock.now - start < .seconds(10))
  }

  @Test("ProxyJump in ssh_config is refused by the libssh2 transport with the way out")
  func proxyJump() async throws {
    let directory = try SSHServerFixture.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try "Host pop1\n  HostName 127.0.0.1\n  ProxyJump bastion\n".write(
      toFile: directory + "/config", atomically: true, encoding: .utf8)
    var options = SSHOptions()
    options.configFile = directory + "/config"
    options.knownHostsFile = directory + "/known_hosts"
    options.environment = ["HOME": directory, "USER": "ops"]
    #expect(
      await connectError("pop1", options)
        == .connection(
          "ops@127.0.0.1: ProxyJump bastion from the SSH config cannot be honoured by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)"
        ))
  }
}
