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

/// The RHEL and Alpine probe sets, fed with output recorded on those tools (see the fixtures'
/// READMEs for which recordings are real and which are written from documentation).
@Suite("probe sets per OS family")
struct ProbeFamilyTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/probes")

  static func fixture(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: fixtures.appendingPathComponent(path)))
  }

  static func ok(_ stdout: [UInt8]) -> Result<CommandOutput, ProbeError> {
    .success(CommandOutput(exitStatus: 0, stdout: stdout, stderr: []))
  }

  static func ok(_ text: String) -> Result<CommandOutput, ProbeError> { ok(Array(text.utf8)) }

  /// Runs `checks` against recorded output and returns `"subject: title => verdict"` lines.
  static func verdicts(_ checks: [Check], _ recordings: [ProbeCommand: Result<CommandOutput, ProbeError>])
    async -> [String]
  {
    let transport = ReplayTransport(hostName: "recorded", recordings: recordings)
    let collected = Collected()
    _ = await HostRunner(transport: transport, checks: checks, options: RunOptions()).run { event in
      if case .checkFinished(let result) = event { await collected.add(result) }
    }
    return await collected.results.map { result in
      switch result.outcome {
      case .passed: "\(result.subject): \(result.title) => passed"
      default: "\(result.message)"
      }
    }
  }

  actor Collected {
    var results: [CheckResult] = []
    func add(_ result: CheckResult) { results.append(result) }
  }

  @Test("Alpine: apk database, busybox stat, ip -o, ps and OpenRC")
  func alpine() async throws {
    let checks =
      Package("musl").isInstalled().version(atLeast: "1.2.5-r0").__chain.checks
      + Package("bash").isNotInstalled().__chain.checks
      + File("/etc/passwd").isFile().mode(0o644).owner("root").__chain.checks
      + Interface("lo").isUp().mtu(65536).hasAddress("127.0.0.1/8").__chain.checks
      + Route.default.via("192.0.2.1").device("eth0").__chain.checks
      + Process("sshd").isRunning().isRunning(as: "root").__chain.checks
      + Service("sshd").isRunning().isEnabled().__chain.checks
      + Service("chronyd").isRunning().__chain.checks
    let recordings: [ProbeCommand: Result<CommandOutput, ProbeError>] = [
      HostProfile.osReleaseCommand: Self.ok(try Self.fixture("alpine3.20/os-release")),
      HostProfile.initCommand: Self.ok("init\n"),
      ProbeCommand(["cat", "/lib/apk/db/installed"]): Self.ok(
        try Self.fixture("alpine3.20/lib-apk-db-installed")),
      FileProbe.stat("/etc/passwd"):
        Self.ok(try Self.fixture("alpine3.20/infraspec-stat-etc-passwd.out")),
      ProbeCommand(["ip", "-o", "link", "show"]): Self.ok(
        try Self.fixture("alpine3.20/infraspec-ip-o-link.out")),
      ProbeCommand(["ip", "-o", "addr", "show"]): Self.ok(
        try Self.fixture("alpine3.20/infraspec-ip-o-addr.out")),
      ProbeCommand(["ip", "-4", "route", "show"]): Self.ok(
        try Self.fixture("alpine3.20/infraspec-ip-4-route.out")),
      ProbeCommand(["ip", "-6", "route", "show"]): Self.ok(
        try Self.fixture("alpine3.20/infraspec-ip-6-route.out")),
      ProcessProbe.command: Self.ok(try Self.fixture("alpine3.20/infraspec-ps.out")),
      // rc-status prints the same service lines with --servicelist as with -a.
      ServiceProbe.openrcStates: Self.ok(try Self.fixture("alpine3.20/rc-status-a.out")),
      ProbeCommand(["rc-update", "show", "-v"]): Self.ok(" sshd | default\n chronyd |\n"),
    ]
    let verdicts = await Self.verdicts(checks, recordings)
    #expect(
      verdicts == [
        "package musl: is installed => passed",
        "package musl: version >= 1.2.5-r0 => passed",
        "package bash: is not installed => passed",
        "file /etc/passwd: is a regular file => passed",
        "file /etc/passwd: mode 0644 => passed",
        "file /etc/passwd: owner root => passed",
        "interface lo: is up => passed",
        "interface lo: mtu 65536 => passed",
        "interface lo: has address 127.0.0.1/8 => passed",
        "route default: via 192.0.2.1 => passed",
        "route default: dev eth0 => passed",
        "process sshd: is running => passed",
        "process sshd: is running as root => passed",
        "service sshd: is running => passed",
        "service sshd: is enabled => passed",
        "service chronyd: running: expected running, got stopped",
      ])
  }

  @Test("RHEL: rpm queries with epochs, iproute2 JSON and systemd")
  func rhel() async throws {
    let bash = ProbeCommand([
      "rpm", "-q", "--qf", "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\n", "--", "bash",
    ])
    let openssl = ProbeCommand([
      "rpm", "-q", "--qf", "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\n", "--", "openssl",
    ])
    let nginx = ProbeCommand([
      "rpm", "-q", "--qf", "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\n", "--", "nginx",
    ])
    let kernel = ProbeCommand([
      "rpm", "-q", "--qf", "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\n", "--", "kernel-core",
    ])
    let recorded = String(decoding: try Self.fixture("rhel9/rpm-query-bash-openssl.out"), as: UTF8.self)
      .split(separator: "\n").map { $0 + "\n" }
    let checks =
      Package("bash").isInstalled().version("5.1.8-9.el9").__chain.checks
      + Package("openssl").version(atLeast: "1:3.0.7").version(below: "3.2").__chain.checks
      + Package("nginx").isNotInstalled().__chain.checks
      + Package("kernel-core").version(atLeast: "5.14.0-427.13.1.el9_4").__chain.checks
      + Interface("eth0").isUp().__chain.checks
      + Service("sshd").isRunning().isEnabled().__chain.checks
    let systemctl = ServiceProbe.systemdShow("sshd.service")
    let recordings: [ProbeCommand: Result<CommandOutput, ProbeError>] = [
      HostProfile.osReleaseCommand: Self.ok(try Self.fixture("rhel9/os-release")),
      HostProfile.initCommand: Self.ok("systemd\n"),
      bash: Self.ok(String(recorded[0])),
      openssl: Self.ok(String(recorded[1])),
      nginx: .success(
        CommandOutput(exitStatus: 1, stdout: Array("package nginx is not installed\n".utf8), stderr: [])),
      kernel: Self.ok(try Self.fixture("rhel9/rpm-query-kernel-core.out")),
      InterfaceProbe.json: Self.ok(try Self.fixture("rhel9/ip-j-addr-show.out")),
      systemctl: Self.ok("LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n"),
    ]
    let verdicts = await Self.verdicts(checks, recordings)
    #expect(
      verdicts == [
        "package bash: is installed => passed",
        "package bash: version 5.1.8-9.el9 => passed",
        "package openssl: version >= 1:3.0.7 => passed",
        "package openssl: version: expected < 3.2, got 1:3.0.7-27.el9",
        "package nginx: is not installed => passed",
        "package kernel-core: version >= 5.14.0-427.13.1.el9_4 => passed",
        "interface eth0: is up => passed",
        "service sshd: is running => passed",
        "service sshd: is enabled => passed",
      ])
  }
}

extension ProbeFamilyTests {
  /// Runs `checks` on `transport` and returns each result's message line.
  static func messages(_ checks: [Check], on transport: any Transport, options: RunOptions = RunOptions())
    async -> [String]
  {
    let collected = Collected()
    _ = await HostRunner(transport: transport, checks: checks, options: options).run { event in
      if case .checkFinished(let result) = event { await collected.add(result) }
    }
    return await collected.results.map(\.message)
  }
}
