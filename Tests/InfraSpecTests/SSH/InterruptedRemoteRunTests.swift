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

/// Ctrl-C during `infraspec run --host`: nothing the run started lingers, here or on the host.
@Suite("infraspec run --host interrupted", .serialized)
struct InterruptedRemoteRunTests {
  @Test(
    "after Ctrl-C no ssh process (master included) and no remote probe outlives the run",
    arguments: ["openssh", "libssh2"])
  func ctrlC(client: String) async throws {
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let root = try CLI.workspace([
      "slow.swift": """
      import InfraSpec

      describe("slow") {
        Command("sleep 97.3").exitStatus(0)
      }
      """
    ])
    _ = try CLI.run(["list"], in: root)
    // The run gets its own process group, as a terminal's foreground job has; once the remote
    // probe runs, the whole group gets SIGINT, as Ctrl-C sends it.
    let result = try Shell.run(
      [
        "sh", "-c",
        "setsid \"$0\" run --host \"$1\" --known-hosts \"$2\" -i \"$3\" --ssh-client \"$4\" >/dev/null 2>&1 & "
          + "job=$!; for _ in $(seq 300); do pgrep -f '^sleep 97[.]3' >/dev/null && break; sleep 0.1; done; "
          + "kill -INT -\"$job\"; wait \"$job\"; echo \"status $?\"",
        CLI.infraspec, server.target, server.knownHostsFile, server.clientKey("ed25519"), client,
      ], in: root, environment: ["XDG_CACHE_HOME": CLI.cacheDirectory])
    #expect(result.stdout.hasPrefix("status "), "\(result.stdout)\(result.stderr)")
    let deadline = ContinuousClock.now + .seconds(3)
    func leftovers() -> [String] {
      let local = SSHServerFixture.processes(containing: "-p \(server.port) ").map(
        SSHServerFixture.commandLine)
      let remote = SSHServerFixture.processes(containing: "sleep 97.3").map(SSHServerFixture.commandLine)
        .filter { $0.hasPrefix("sleep ") }
      return local + remote + server.sessionProcesses.map(SSHServerFixture.commandLine)
    }
    while !leftovers().isEmpty && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(50))
    }
    #expect(leftovers() == [])
  }
}
