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

@Suite("SSH host key verification against a real sshd", .serialized)
struct SSHHostKeyTests {
  private func connectError(_ server: SSHServerFixture, _ options: SSHOptions) async -> ProbeError? {
    do {
      let ssh = try await SSHTransport(target: server.target, options: options)
      await ssh.close()
      return nil
    } catch {
      return error
    }
  }

  private func fingerprint(_ server: SSHServerFixture, _ type: String) throws -> String {
    // ssh-keygen's own fingerprint, so the format is checked against OpenSSH, not against ourselves.
    let output = try SSHServerFixture.output(
      "/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", server.directory + "/host_\(type).pub"])
    return String(output.split(separator: " ")[1])
  }

  private func writeKnownHosts(_ server: SSHServerFixture, _ text: String) throws {
    try text.write(toFile: server.knownHostsFile, atomically: true, encoding: .utf8)
  }

  @Test("an unknown host key is refused with its SHA256 fingerprint and the line to add")
  func unknownKey() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    try writeKnownHosts(server, "")
    let key = try server.hostKey("ed25519")
    let line = "\(server.knownHostsName) ssh-ed25519 \(Data(key.blob).base64EncodedString())"
    let error = await connectError(server, server.options())
    #expect(
      error
        == .connection(
          """
          host key of \(server.knownHostsName) is not known: ssh-ed25519 \(try fingerprint(server, "ed25519")). \
          Verify the fingerprint, then add this line to \(server.knownHostsFile):
          \(line)
          or trust it on first use (acceptNewHostKeys, StrictHostKeyChecking accept-new)
          """))
  }

  @Test("acceptNewHostKeys trusts a new host and writes its key to known_hosts")
  func acceptNew() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    var options = server.options()
    options.knownHostsFile = server.directory + "/fresh/known_hosts"
    options.acceptNewHostKeys = true
    let ssh = try await SSHTransport(target: server.target, options: options)
    await ssh.close()
    let key = try server.hostKey("ed25519")
    let written = try String(contentsOfFile: server.directory + "/fresh/known_hosts", encoding: .utf8)
    #expect(written == "\(server.knownHostsName) ssh-ed25519 \(Data(key.blob).base64EncodedString())\n")
    options.acceptNewHostKeys = false
    let again = try await SSHTransport(target: server.target, options: options)
    await again.close()
  }

  @Test("a changed host key is refused loudly")
  func changedKey() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    try SSHServerFixture.run(
      "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", server.directory + "/other"])
    let other = try String(contentsOfFile: server.directory + "/other.pub", encoding: .utf8).split(
      separator: " ")
    try writeKnownHosts(server, "\(server.knownHostsName) \(other[0]) \(other[1])\n")
    let old = try SSHServerFixture.output(
      "/usr/bin/ssh-keygen", ["-l", "-f", server.directory + "/other.pub"]
    ).split(separator: " ")[1]
    let error = await connectError(server, server.options())
    #expect(
      error
        == .connection(
          """
          HOST KEY CHANGED for \(server.knownHostsName): \(server.knownHostsFile):1 has ssh-ed25519 \(old), \
          the host now offers \(try fingerprint(server, "ed25519")). Someone could be intercepting the connection, \
          or the host was reinstalled; refusing to connect. If the change is expected, verify the new key and \
          replace line \(server.knownHostsFile):1.
          """))
  }

  @Test("a revoked host key is refused even when it is also listed as trusted")
  func revokedKey() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let key = try server.hostKey("ed25519")
    let base64 = Data(key.blob).base64EncodedString()
    try writeKnownHosts(
      server, "\(server.knownHostsName) ssh-ed25519 \(base64)\n@revoked * ssh-ed25519 \(base64)\n")
    let error = await connectError(server, server.options())
    #expect(
      error
        == .connection(
          """
          host key of \(server.knownHostsName) is REVOKED (@revoked at \(server.knownHostsFile):2): \
          ssh-ed25519 \(try fingerprint(server, "ed25519")); refusing to connect
          """))
  }

  @Test("hashed known_hosts entries (ssh-keygen -H) are honoured")
  func hashedKnownHosts() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    try SSHServerFixture.run("/usr/bin/ssh-keygen", ["-q", "-H", "-f", server.knownHostsFile])
    let text = try String(contentsOfFile: server.knownHostsFile, encoding: .utf8)
    #expect(text.hasPrefix("|1|"))
    #expect(!text.contains("127.0.0.1"))
    let ssh = try await SSHTransport(target: server.target, options: server.options())
    // Trusted through the hashed line: the key was verified, nothing was added or warned about.
    #expect(ssh.connection.hostKeyType == "ssh-ed25519")
    #expect(ssh.warnings.isEmpty, "\(ssh.warnings)")
    let output = try await ssh.run(ProbeCommand(["echo", "in"]), timeout: .seconds(10))
    #expect(output.stdout == Array("in\n".utf8))
    await ssh.close()
    #expect(try String(contentsOfFile: server.knownHostsFile, encoding: .utf8) == text)
  }

  @Test("the host key type is steered by known_hosts", arguments: ["ed25519", "ecdsa"])
  func keyTypePreference(type: String) async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let key = try server.hostKey(type)
    try writeKnownHosts(
      server, "\(server.knownHostsName) \(key.type) \(Data(key.blob).base64EncodedString())\n")
    let ssh = try await SSHTransport(target: server.target, options: server.options())
    // The server proved the key type known_hosts holds, not the one libssh2 would pick first.
    #expect(ssh.connection.hostKeyType == key.type)
    await ssh.close()
  }

  @Test("@cert-authority and unknown markers are explained, not silently used")
  func certificateAuthority() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let key = try server.hostKey("ed25519")
    let base64 = Data(key.blob).base64EncodedString()
    try writeKnownHosts(
      server,
      "@cert-authority [127.0.0.1]:* ssh-ed25519 \(base64)\n@trusted \(server.knownHostsName) ssh-ed25519 \(base64)\n"
    )
    let error = await connectError(server, server.options())
    #expect(
      error
        == .connection(
          """
          host key of \(server.knownHostsName) is not known: ssh-ed25519 \(try fingerprint(server, "ed25519")). \
          Verify the fingerprint, then add this line to \(server.knownHostsFile):
          \(server.knownHostsName) ssh-ed25519 \(base64)
          or trust it on first use (acceptNewHostKeys, StrictHostKeyChecking accept-new)
          \(server.knownHostsFile):1: @cert-authority host certificates are not supported by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)
          \(server.knownHostsFile):2: unknown marker @trusted; line ignored
          """))
  }

  @Test("an RSA-only host is refused with the reason and the way out")
  func rsaOnlyHost() async throws {
    let server = try await SSHServerFixture.start(.init(hostKeyTypes: ["rsa"]))
    defer { server.stop() }
    let error = await connectError(server, server.options())
    #expect(
      error
        == .connection(
          """
          root@127.0.0.1:\(server.port) is known only by an RSA host key, and libssh2 1.10 cannot verify \
          rsa-sha2-256/512 host keys: use the OpenSSH client (--ssh-client openssh)
          """))
  }
}
