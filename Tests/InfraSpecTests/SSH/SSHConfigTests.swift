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

@Suite("ssh_config parsing")
struct SSHConfigTests {
  private let config = SSHConfig(
    text: """
      # fleet defaults
      Host lax? !lax9 *.pop.example.net
        HostName %h.pop.example.net
        User ops
        Port=2222
        IdentityFile ~/.ssh/pop_ed25519
        IdentitiesOnly yes
        StrictHostKeyChecking accept-new
        ConnectTimeout 7
        ForwardAgent yes
      Host lax1
        User ignored-because-first-wins
        IdentityFile "~/.ssh/with space"
      Host bastioned
        ProxyJump ops@bastion:22
        CertificateFile ~/.ssh/cert.pub
      Match exec "true"
        User matched
      Host *
        UserKnownHostsFile ~/.ssh/known_hosts_infraspec /etc/infraspec/known_hosts
        HostKeyAlias shared
      """, name: "config", directory: "/home/ops/.ssh")

  @Test("a matching Host block gives HostName, User, Port, keys and policies; first value wins")
  func matchingBlock() {
    let settings = config.settings(for: "lax1")
    #expect(settings.hostName == "%h.pop.example.net")
    #expect(settings.user == "ops")
    #expect(settings.port == 2222)
    #expect(settings.identityFiles == ["~/.ssh/pop_ed25519", "~/.ssh/with space"])
    #expect(settings.identitiesOnly == true)
    #expect(settings.strictHostKeyChecking == "accept-new")
    #expect(settings.connectTimeout == .seconds(7))
    #expect(settings.userKnownHostsFiles == ["~/.ssh/known_hosts_infraspec", "/etc/infraspec/known_hosts"])
    #expect(settings.hostKeyAlias == "shared")
    #expect(
      settings.warnings == [
        "config:17: Match blocks are not supported by InfraSpec's SSH config reader; ignored"
      ])
  }

  @Test(
    "! excludes a host, ? matches one character, * any run",
    arguments: [
      ("lax1", true), ("lax9", false), ("lax10", false), ("edge.pop.example.net", true), ("other", false),
    ])
  func patterns(host: String, matches: Bool) {
    #expect((config.settings(for: host).user == "ops") == matches)
  }

  @Test("ProxyJump is read and unsupported options that matter are reported")
  func unsupported() {
    let settings = config.settings(for: "bastioned")
    #expect(settings.proxyJump == "ops@bastion:22")
    #expect(
      settings.warnings == [
        "config:16: certificatefile is not supported by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)",
        "config:17: Match blocks are not supported by InfraSpec's SSH config reader; ignored",
      ])
  }

  @Test("the endpoint resolves tokens, ~, the port in known_hosts names and the policy")
  func endpoint() throws {
    let directory = try SSHServerFixture.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try
      "Host lax1\n  HostName %h.example.net\n  Port 2200\n  IdentityFile ~/.ssh/id_%r_%h\n  StrictHostKeyChecking no\n"
      .write(toFile: directory + "/config", atomically: true, encoding: .utf8)
    var options = SSHOptions()
    options.configFile = directory + "/config"
    options.environment = ["HOME": "/home/ops", "USER": "ops"]
    let endpoint = try SSHEndpoint(target: SSHTarget("root@lax1"), options: options)
    #expect(endpoint.address == "lax1.example.net")
    #expect(endpoint.port == 2200)
    #expect(endpoint.user == "root")
    #expect(endpoint.knownHostsName == "[lax1.example.net]:2200")
    #expect(endpoint.identityFiles == ["/home/ops/.ssh/id_root_lax1.example.net"])
    #expect(endpoint.hostKeyPolicy == .acceptNew)
    #expect(endpoint.knownHostsFiles.first == "/home/ops/.ssh/known_hosts")
    #expect(endpoint.displayName == "root@lax1.example.net:2200")
    let plain = try SSHEndpoint(target: SSHTarget("other"), options: options)
    #expect(
      plain.identityFiles == [
        "/home/ops/.ssh/id_ed25519", "/home/ops/.ssh/id_ecdsa", "/home/ops/.ssh/id_rsa",
      ])
    #expect(plain.user == "ops")
    #expect(plain.port == 22)
    #expect(plain.knownHostsName == "other")
  }

  @Test("a config that includes itself is refused at OpenSSH's depth limit, at once")
  func selfInclude() throws {
    let directory = NSTemporaryDirectory() + "infraspec-include-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/config"
    try "Host *\n  User ops\nInclude config\nInclude config config\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    let start = ContinuousClock.now
    #expect(
      throws: ProbeError.connection(
        "SSH config \(path) cannot be used: \(path):3: Include nested more than 16 levels deep (does a file include itself?)"
      )
    ) {
      try SSHConfig(contentsOf: path)
    }
    #expect(ContinuousClock.now - start < .seconds(1))
  }
}
