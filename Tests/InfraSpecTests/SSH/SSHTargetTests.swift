import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite("SSH target parsing")
struct SSHTargetTests {
  @Test(
    "user, host, port and IPv6 forms",
    arguments: [
      ("lax1", nil, "lax1", nil), ("ops@lax1", "ops", "lax1", nil), ("ops@lax1:2222", "ops", "lax1", 2222),
      ("ssh://ops@lax1:2222", "ops", "lax1", 2222), ("ssh://lax1/", nil, "lax1", nil),
      ("[::1]:2222", nil, "::1", 2222),
      ("ops@[2001:db8::1]", "ops", "2001:db8::1", nil), ("::1", nil, "::1", nil),
    ] as [(String, String?, String, UInt16?)])
  func valid(text: String, user: String?, host: String, port: UInt16?) throws {
    let target = try SSHTarget(text)
    #expect(target.user == user && target.host == host && target.port == port)
  }

  @Test(
    "invalid targets say why",
    arguments: [
      (
        "ops@lax1:99999",
        "invalid SSH target \"ops@lax1:99999\": port must be a number from 1 to 65535, got \"99999\""
      ),
      ("@lax1", "invalid SSH target \"@lax1\": the user name before @ is empty"),
      (
        "-oProxyCommand=x",
        "invalid SSH target \"-oProxyCommand=x\": a host name cannot start with - or contain spaces"
      ),
      ("[::1", "invalid SSH target \"[::1\": missing ]"),
      ("ssh://lax1/path", "invalid SSH target \"ssh://lax1/path\": an ssh:// target has no path"),
    ])
  func invalid(text: String, message: String) {
    #expect(throws: ProbeError.connection(message)) { try SSHTarget(text) }
  }
}
