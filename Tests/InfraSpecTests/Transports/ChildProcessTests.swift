import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite("Local child processes")
struct ChildProcessTests {
  @Test("a command that exited is not 'timed out' because a daemon it started holds stdout open")
  func daemonHoldsStdout() throws {
    let start = ContinuousClock.now
    let result = ChildProcess.run(
      ProbeCommand(["sh", "-c", "sleep 30 & echo started; exit 3"]), timeout: .seconds(3))
    #expect(result == .success(CommandOutput(exitStatus: 3, stdout: Array("started\n".utf8), stderr: [])))
    #expect(ContinuousClock.now - start < .seconds(1))
  }
}
