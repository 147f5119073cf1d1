import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecDNS
@testable import InfraSpecSockets
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// `infraspec run --host` against a real sshd on loopback: the same spec, the same outcomes.
@Suite("infraspec run --host", .serialized)
struct RemoteRunTests {
  static let spec = """
    import InfraSpec

    describe("remote") {
      File("/etc/passwd").isFile().mode(0o644).owner("root")
      File("/etc/passwd").mode(0o600)
      File("/nonexistent; touch /tmp/infraspec-pwned-remote").exists()
      User("root").exists().uid(0).home("/root")
      Group("root").gid(0)
      Package("dpkg").isInstalled().version(atLeast: "1.20")
      Command("uname -s").stdout("Linux").exitStatus(0)
      Command(["infraspec-no-such-tool"]).exitStatus(0)
      Interface("lo").isUp().mtu(65536).hasAddress("127.0.0.1/8")
      Sysctl("kernel.ostype").value("Linux")
      Mount("/proc").isMounted().filesystem("proc")
      Process("infraspec-absent").isNotRunning()
    }
    """

  /// Outcome lines without the host name, so local and remote runs compare line by line.
  static func outcomes(_ tap: String) -> [String] {
    tap.split(separator: "\n").filter {
      $0.hasPrefix("ok ") || $0.hasPrefix("not ok ") || $0.hasPrefix("  message:")
    }
    .map(String.init)
  }

  @Test("local and SSH runs of one spec give identical outcomes, over libssh2 and OpenSSH")
  func identicalOutcomes() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let root = try CLI.workspace(["remote.swift": Self.spec])
    let local = try CLI.run(["run"], in: root)
    #expect(local.status == 1, "\(local.stdout)\(local.stderr)")
    for client in ["libssh2", "openssh"] {
      let remote = try CLI.run(
        [
          "run", "--host", server.target, "--known-hosts", server.knownHostsFile, "-i",
          server.clientKey("ed25519"),
          "--ssh-client", client,
        ], in: root)
      #expect(remote.status == 1, "\(client): \(remote.stdout)\(remote.stderr)")
      #expect(Self.outcomes(remote.stdout) == Self.outcomes(local.stdout), "\(client): \(remote.stdout)")
      #expect(remote.stdout.contains("host: \"\(server.target)\""))
    }
    #expect(!FileManager.default.fileExists(atPath: "/tmp/infraspec-pwned-remote"))
  }

  @Test("an unknown host key refuses the host with its fingerprint: one could-not-check, exit 2")
  func unknownHostKey() async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let root = try CLI.workspace(["remote.swift": Self.spec])
    let empty = root.appendingPathComponent("known_hosts").path
    FileManager.default.createFile(atPath: empty, contents: Data())
    let result = try CLI.run(
      ["run", "--host", server.target, "--known-hosts", empty, "-i", server.clientKey("ed25519")], in: root)
    #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
    #expect(
      result.stdout.contains("not ok 1 - \(server.target): could not check the host"), "\(result.stdout)")
    #expect(result.stdout.contains("SHA256:"), "\(result.stdout)")
    #expect(result.stdout.contains("1..1\n"))
  }

  @Test("an unreachable host and a listener that never speaks end quickly as could-not-check")
  func unreachable() throws {
    let root = try CLI.workspace(["remote.swift": Self.spec])
    let silent = try Shell.run([
      "python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])",
    ])
    let closedPort = silent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    // A listener that accepts and never answers.
    let listener = try Subprocess.spawn(
      [
        "python3", "-c",
        "import socket,time,sys\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen()\nprint(s.getsockname()[1], flush=True)\nc=[]\nwhile True: c.append(s.accept())",
      ], stdout: .pipe)
    defer { listener.terminate() }
    let port = listener.readLine()
    let started = Date()
    let result = try CLI.run(
      [
        "run", "--host", "root@127.0.0.1:\(closedPort)", "--host", "root@127.0.0.1:\(port)",
        "--connect-timeout", "2",
        "--known-hosts", "/dev/null",
      ], in: root)
    #expect(Date().timeIntervalSince(started) < 20)
    #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.components(separatedBy: "could not check the host").count == 3, "\(result.stdout)")
    #expect(!(try Prove.check(result.stdout).output.contains("Parse errors")))
  }
}
