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

/// KernelModule from /sys/module, SSHD from `sshd -T` of a real config, HostKey from ssh-keygen.
@Suite("kernel modules, sshd settings, host keys", .serialized)
struct HostSecurityTests {
  @Test("a module in /sys/module is loaded, a made-up one is not")
  func modules() async throws {
    let loaded = try #require(
      try FileManager.default.contentsOfDirectory(atPath: "/sys/module").sorted().first, "no /sys/module")
    let messages = await EdgeFixture.messages(
      KernelModule(loaded).isLoaded().__chain.checks
        + KernelModule("infraspec-no-such-module").isLoaded().__chain.checks
        + KernelModule("infraspec_no_such_module").isNotLoaded().__chain.checks)
    #expect(
      messages == [
        "passed: kernel module \(loaded): is loaded",
        "kernel module infraspec-no-such-module: is loaded: expected loaded, got not loaded",
        "passed: kernel module infraspec_no_such_module: is not loaded",
      ])
  }

  @Test("sshd -T of a real config: settings compare case-insensitively, a wrong one fails")
  func sshdSettings() async throws {
    var configuration = SSHServerFixture.Configuration()
    configuration.maxSessions = 7
    let server = try await SSHServerFixture.start(configuration)
    defer { server.stop() }
    let config = server.directory + "/sshd_config"
    let messages = await EdgeFixture.messages(
      SSHD(config: config).setting("PasswordAuthentication", "no").setting("maxsessions", "7")
        .setting("permitrootlogin", "no").setting("nosuchsetting", "x").__chain.checks)
    #expect(
      messages == [
        "passed: sshd \(config): passwordauthentication no",
        "passed: sshd \(config): maxsessions 7",
        "sshd \(config): permitrootlogin: expected no, got yes",
        "sshd \(config): nosuchsetting: expected x, got no such setting",
      ])
  }

  @Test("a host key's SHA-256 fingerprint, and a missing key file")
  func hostKeys() async throws {
    let directory = try SSHServerFixture.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SSHServerFixture.run(
      "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", directory + "/ssh_host_ed25519_key"])
    let listed = try SSHServerFixture.output(
      "/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", directory + "/ssh_host_ed25519_key.pub"])
    let fingerprint = String(listed.split(separator: " ")[1])
    let messages = await EdgeFixture.messages(
      HostKey(.ed25519, directory: directory).fingerprint(fingerprint).fingerprint("SHA256:wrong").__chain
        .checks
        + HostKey(.rsa, directory: directory).fingerprint("SHA256:x").__chain.checks)
    let path = "\(directory)/ssh_host_ed25519_key.pub"
    #expect(
      messages == [
        "passed: host key \(path): fingerprint \(fingerprint)",
        "host key \(path): fingerprint: expected SHA256:wrong, got \(fingerprint)",
        "host key \(directory)/ssh_host_rsa_key.pub: fingerprint: expected SHA256:x, got no such key file",
      ])
  }
}
