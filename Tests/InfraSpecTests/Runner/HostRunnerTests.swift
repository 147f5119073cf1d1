import Foundation
import Synchronization
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// Counts how often each command runs, answering from a table.
final class CountingTransport: Transport {
  let hostName = "counted"
  let answers: [ProbeCommand: CommandOutput]
  let counts = Mutex<[ProbeCommand: Int]>([:])

  init(_ answers: [ProbeCommand: CommandOutput]) { self.answers = answers }

  func run(_ command: ProbeCommand, timeout: Duration) async throws(ProbeError) -> CommandOutput {
    counts.withLock { $0[command, default: 0] += 1 }
    guard let answer = answers[command] else { throw .commandNotFound(command.argv[0]) }
    return answer
  }

  func runAll(_ commands: [ProbeCommand], timeout: Duration) -> AsyncStream<
    (ProbeCommand, Result<CommandOutput, ProbeError>)
  > {
    runConcurrently(commands, timeout: timeout, limit: 4)
  }

  func close() async {}
}

@Suite("host runner")
struct HostRunnerTests {
  static let debian = CommandOutput(
    exitStatus: 0, stdout: Array("ID=debian\nPRETTY_NAME=\"Debian\"\n".utf8), stderr: [])

  @Test("a probe several checks need runs once per host, and results keep spec order")
  func deduplicates() async {
    let stat = FileProbe.stat("/etc/passwd")
    let transport = CountingTransport([
      HostProfile.osReleaseCommand: Self.debian,
      HostProfile.initCommand: CommandOutput(exitStatus: 0, stdout: Array("systemd\n".utf8), stderr: []),
      stat: CommandOutput(exitStatus: 0, stdout: Array("81a4 644 root root 1317\n".utf8), stderr: []),
    ])
    let checks =
      File("/etc/passwd").isFile().mode(0o644).__chain.checks
      + File("/etc/passwd").owner("root").group("root").__chain.checks
    let names = Mutex<[String]>([])
    let summary = await HostRunner(transport: transport, checks: checks, options: RunOptions()).run { event in
      if case .checkFinished(let result) = event {
        names.withLock { $0.append("\(result.number) \(result.title) \(result.outcome.word)") }
      }
    }
    #expect(transport.counts.withLock { $0[stat] } == 1)
    #expect(
      names.withLock { $0 } == [
        "1 is a regular file passed", "2 mode 0644 passed", "3 owner root passed", "4 group root passed",
      ])
    #expect(summary.summary.passed == 4 && summary.summary.exitCode == .success)
  }

  @Test("a host whose profile cannot be read is one could-not-check, not one per check")
  func unreachableHost() async {
    let transport = CountingTransport([:])
    let events = Mutex<[String]>([])
    let summary = await HostRunner(
      transport: transport, checks: File("/x").exists().mode(0o600).__chain.checks, options: RunOptions()
    )
    .run { event in
      switch event {
      case .hostFailed(let host, let reason): events.withLock { $0.append("\(host): \(reason)") }
      case .checkFinished: events.withLock { $0.append("check") }
      default: break
      }
    }
    #expect(events.withLock { $0 } == ["counted: command not found on host: cat"])
    #expect(summary.summary.couldNotCheck == 1 && summary.summary.exitCode == .couldNotCheck)
  }

  /// Exits 1 until its `passAt`-th probe of the command, then 0; the profile probes always answer.
  final class Flipping: Transport {
    let hostName = "flipping"
    let passAt: Int
    let calls = Mutex(0)
    init(passAt: Int) { self.passAt = passAt }
    func run(_ command: ProbeCommand, timeout: Duration) async throws(ProbeError) -> CommandOutput {
      if command == HostProfile.osReleaseCommand { return HostRunnerTests.debian }
      if command == HostProfile.initCommand { return CommandOutput(exitStatus: 0, stdout: [], stderr: []) }
      let call = calls.withLock {
        $0 += 1
        return $0
      }
      return CommandOutput(exitStatus: call >= passAt ? 0 : 1, stdout: [], stderr: [])
    }
    func runAll(_ commands: [ProbeCommand], timeout: Duration) -> AsyncStream<
      (ProbeCommand, Result<CommandOutput, ProbeError>)
    > {
      runConcurrently(commands, timeout: timeout, limit: 1)
    }
    func close() async {}
  }

  /// A clock that moves only when the runner sleeps on it, by exactly the time slept: a test of
  /// minutes of retries takes no real time, and every wait is counted.
  final class SteppingClock: RunClock {
    let time = Mutex(Duration.zero)
    let sleeps = Mutex<[Duration]>([])
    var elapsed: Duration { time.withLock { $0 } }
    func sleep(for duration: Duration) async throws {
      time.withLock { $0 += duration }
      sleeps.withLock { $0.append(duration) }
    }
  }

  @Test("eventually re-probes every interval until the check passes, on the runner's clock")
  func eventually() async {
    let transport = Flipping(passAt: 3)
    let clock = SteppingClock()
    let checks = Command("converging").exitStatus(0).eventually(within: .seconds(120), every: .seconds(10))
      .__chain.checks
    var runner = HostRunner(transport: transport, checks: checks, options: RunOptions())
    runner.clock = clock
    let results = Mutex<[CheckResult]>([])
    let summary = await runner.run { event in
      if case .checkFinished(let result) = event { results.withLock { $0.append(result) } }
    }
    #expect(summary.summary.passed == 1)
    #expect(transport.calls.withLock { $0 } == 3)
    // Two re-probes, ten seconds apart, and the result tells the time it took to converge.
    #expect(clock.sleeps.withLock { $0 } == [.seconds(10), .seconds(10)])
    #expect(results.withLock { $0.map(\.durationMilliseconds) } == [20_000])
  }

  @Test("eventually gives up when the window is over: the last probe's failure is the verdict")
  func eventuallyGivesUp() async {
    let transport = Flipping(passAt: .max)
    let clock = SteppingClock()
    let checks = Command("converging").exitStatus(0).eventually(within: .seconds(120), every: .seconds(10))
      .__chain.checks
    var runner = HostRunner(transport: transport, checks: checks, options: RunOptions())
    runner.clock = clock
    let summary = await runner.run { _ in }
    #expect(summary.summary.failed == 1)
    // The first probe, then a re-probe at 10, 20 … 110 s: one more would end past 120 s.
    #expect(transport.calls.withLock { $0 } == 12)
    #expect(clock.elapsed == .seconds(110))
  }
}
