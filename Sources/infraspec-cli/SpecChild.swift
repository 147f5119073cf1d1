internal import ArgumentParser
internal import Dispatch
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#endif

/// The running spec binary: started by `Subprocess` (a clean signal mask and default signal
/// actions: the thread that starts it may have every signal blocked), sent every
/// SIGINT, SIGTERM and SIGHUP this process gets, its stderr passed through while the end of it is
/// kept for a crash report.
final class SpecChild: @unchecked Sendable {
  let pid: pid_t
  /// In the environment of the spec binary and so of every probe it starts (`INFRASPEC_RUN`), so
  /// the probes a crashed spec binary leaves behind can still be found and stopped.
  let runToken = "\(getpid())-\(UInt64.random(in: 1...UInt64.max))"
  private let stderrPipe: Int32
  private let done = DispatchSemaphore(value: 0)
  private let lock = ThreadLock()
  private var tail: [UInt8] = []
  private let forwarder: SignalHub.Token
  /// The child once it exists, and the signals that came before it did.
  private let target = Locked<(pid: pid_t?, early: [Int32])>((nil, []))

  /// The last bytes of stderr kept for a crash report: enough for a runtime message and backtrace.
  static let tailLimit = 64 * 1024

  init(binary: String, arguments: [String]) throws {
    // Listen before the child exists, so a Ctrl-C in between is not lost but passed on once it
    // does (the child starts with default actions and a clean mask all the same: `Subprocess`).
    let target = self.target
    forwarder = SignalHub.listen { number in
      let pid = target.withLock { state -> pid_t? in
        if state.pid == nil { state.early.append(number) }
        return state.pid
      }
      if let pid { kill(pid, number) }
    }
    var environment = ProcessInfo.processInfo.environment
    // A crash report names the spec line (the spec is built with -g); registers and the image list
    // would only bury it. A user's own setting wins.
    environment["INFRASPEC_RUN"] = runToken
    if environment["SWIFT_BACKTRACE"] == nil {
      environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,registers=none,images=none"
    }
    let child: Subprocess
    do {
      // Only the child's stderr is a pipe: the spec binary writes its report to our stdout.
      child = try Subprocess.spawn(
        [binary] + arguments, environment: Subprocess.environment(environment), stdin: .inherit,
        stdout: .inherit, stderr: .pipe)
    } catch {
      OutputStream.standardError.write("infraspec: cannot start \(binary): \(error.message)\n")
      throw ArgumentParser.ExitCode(2)
    }
    let pid = child.pid
    self.pid = pid
    stderrPipe = child.stderr
    let early = target.withLock { state -> [Int32] in
      state.pid = pid
      return state.early
    }
    for number in early { kill(pid, number) }
    PlainThread { [self] in pump() }.start()
  }

  /// Copies the child's stderr to ours until it closes, keeping the tail.
  private func pump() {
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(stderrPipe, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      OutputStream.standardError.write(String(decoding: buffer[..<count], as: UTF8.self))
      lock.withLock {
        tail += buffer[..<count]
        if tail.count > Self.tailLimit { tail.removeFirst(tail.count - Self.tailLimit) }
      }
    }
    close(stderrPipe)
    done.signal()
  }

  /// Waits for the child to end; its raw wait status.
  func wait() -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    SignalHub.remove(forwarder)
    // A probe it left behind may hold stderr open: do not wait for it forever.
    _ = done.wait(timeout: .now() + 2)
    return status
  }

  /// Kills every process still carrying this run's token: the probes of a spec binary that died
  /// without killing them (they run in their own process groups, so they outlive it).
  func killLeftovers() {
    let marker = Array("INFRASPEC_RUN=\(runToken)".utf8) + [0]
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
    for entry in entries {
      guard let other = pid_t(entry), other != getpid(),
        let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
      else { continue }
      let bytes = [UInt8](environment)
      guard bytes.count >= marker.count else { continue }
      let found = (0...(bytes.count - marker.count)).contains { start in
        (start == 0 || bytes[start - 1] == 0) && bytes[start..<(start + marker.count)].elementsEqual(marker)
      }
      if found { kill(other, SIGKILL) }
    }
  }

  var stderrTail: String { lock.withLock { String(decoding: tail, as: UTF8.self) } }

  static func signalName(_ number: Int32) -> String {
    let names: [Int32: String] = [
      SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
      SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
      SIGTERM: "SIGTERM",
    ]
    return names[number] ?? "signal \(number)"
  }
}
