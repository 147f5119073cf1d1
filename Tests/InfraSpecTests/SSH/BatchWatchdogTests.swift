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

/// The batch script under each shell a host may log in with (`sh -s` is dash on Debian, bash on
/// RHEL, busybox on Alpine), driven the way both SSH transports drive it: the script on
/// standard input, which stays open as the control channel, and the collector's watchdog ticking.
@Suite("batch watchdog under dash, bash and busybox", .serialized)
struct BatchWatchdogTests {
  static let shells: [[String]] = [["dash", "-s"], ["bash", "-s"], ["busybox", "sh", "-s"]]

  /// One batch run by `shell` on this machine through the OpenSSH transport's own driver:
  /// the collector ticks on its thread and sends kills on the held standard input.
  final class Batch: @unchecked Sendable {
    let collector: BatchCollector
    let results = Results()
    let done = DispatchSemaphore(value: 0)
    private var process: SSHClientProcess?

    init(shell: [String], commands: [ProbeCommand], timeout: Duration) throws {
      collector = BatchCollector(commands: commands, timeout: timeout, sudo: nil, hostName: "local") {
        [results] index, result, _ in results.withLock { $0[index] = result }
      }
      var environment = ProcessInfo.processInfo.environment
      environment["TMPDIR"] = BatchWatchdogTests.privateTemporary
      let process = try SSHClientProcess.start(
        shell, environment: environment, input: collector.script, keepInputOpen: true,
        onStdout: { [self] bytes in
          _ = try? collector.stdout(bytes)
          tick()
        },
        onStderr: { [self] bytes in
          _ = try? collector.stderr(bytes)
          tick()
        },
        onExit: { [done] _ in done.signal() })
      self.process = process
      process.onTick { [self] in tick() }
    }

    /// On the driving thread: what the transports do at every turn of their loops.
    private func tick() {
      let control = collector.takeControlInput()
      if !control.isEmpty { process?.send(control) }
      if collector.isComplete { process?.closeInput() }
    }

    func closeInput() { process?.closeInput() }

    /// Waits for the shell to exit; false when it did not within `seconds`.
    func wait(seconds: Double) -> Bool {
      let exited = done.wait(timeout: .now() + seconds) == .success
      if !exited { process?.kill() }
      return exited
    }
  }

  /// A private, empty TMPDIR for the batch's shell: `mktemp` and friends would write there.
  static let privateTemporary: String = {
    let path = NSTemporaryDirectory() + "isp-watchdog-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  /// What a script could have left in its private TMPDIR. Shared folders (/tmp, /var/tmp,
  /// /dev/shm) also fill with other suites' files while these tests run in parallel, so the
  /// script is instead proven never to name them (`scriptNamesNoSharedTemporary`).
  static func temporaryFiles() -> Set<String> {
    Set(
      ((try? FileManager.default.contentsOfDirectory(atPath: privateTemporary)) ?? []).map {
        privateTemporary + "/" + $0
      })
  }

  @Test("the batch script names no shared temporary folder and makes no file or FIFO")
  func scriptNamesNoSharedTemporary() {
    let collector = BatchCollector(
      commands: [ProbeCommand(["echo", "x"])], timeout: .seconds(1), sudo: nil, hostName: "local"
    ) { _, _, _ in }
    let script = String(decoding: collector.script, as: UTF8.self)
    for word in ["/tmp", "/var/tmp", "/dev/shm", "mktemp", "mkfifo", "TMPDIR"] {
      #expect(!script.contains(word), "the batch script names \(word)")
    }
  }

  @Test("each probe's own deadline kills its whole process group; the batch goes on", arguments: shells)
  func deadline(_ shell: [String]) throws {
    let marker = "913.\(getpid() % 1000)"
    let before = Self.temporaryFiles()
    let slow = ProbeCommand(["sh", "-c", "sleep \(marker) & sleep \(marker); echo never"])
    let fast = ProbeCommand(["echo", "fast"])
    let start = ContinuousClock.now
    let batch = try Batch(shell: shell, commands: [slow, fast, slow], timeout: .milliseconds(600))
    #expect(batch.wait(seconds: 10))
    #expect(ContinuousClock.now - start < .seconds(5))
    let results = batch.results.withLock { $0 }
    let timedOut = ProbeError.timedOut(command: slow.description, after: .milliseconds(600))
    #expect(results[0] == .failure(timedOut))
    #expect(results[1].map { try? $0.get().stdout } == Array("fast\n".utf8))
    #expect(results[2] == .failure(timedOut))
    // The probe's own time, measured from its begin marker: about one deadline, not the batch's.
    if case .success(let output)? = results[1] {
      #expect((output.duration ?? .seconds(9)) < .milliseconds(500))
    }
    #expect(SSHServerFixture.processes(containing: "sleep \(marker)") == [])
    #expect(Self.temporaryFiles().subtracting(before).isEmpty)
  }

  @Test(
    "the control channel closing (a dropped connection) kills the running probe's group", arguments: shells)
  func dropped(_ shell: [String]) throws {
    let marker = "914.\(getpid() % 1000)"
    let before = Self.temporaryFiles()
    let slow = ProbeCommand(["sh", "-c", "sleep \(marker) & sleep \(marker)"])
    let batch = try Batch(
      shell: shell, commands: [slow, ProbeCommand(["echo", "later"])], timeout: .seconds(60))
    let started = ContinuousClock.now
    while SSHServerFixture.processes(containing: "sleep \(marker)").count < 3
      && ContinuousClock.now - started < .seconds(5)
    {
      Thread.sleep(forTimeInterval: 0.02)
    }
    // The probe's shell and its two sleeps.
    #expect(SSHServerFixture.processes(containing: "sleep \(marker)").count == 3)
    batch.closeInput()
    #expect(batch.wait(seconds: 5))
    Thread.sleep(forTimeInterval: 0.2)
    #expect(SSHServerFixture.processes(containing: "sleep \(marker)") == [])
    // The batch stopped: the probe after it never ran.
    #expect(batch.results.withLock { $0[1] } == nil)
    #expect(Self.temporaryFiles().subtracting(before).isEmpty)
  }
}

/// Results by index, filled on the batch's queue and read by the test.
final class Results: @unchecked Sendable {
  private let lock = NSLock()
  private var values: [Int: Result<CommandOutput, ProbeError>] = [:]
  func withLock<T>(_ body: (inout [Int: Result<CommandOutput, ProbeError>]) -> T) -> T {
    lock.withLock { body(&values) }
  }
}
