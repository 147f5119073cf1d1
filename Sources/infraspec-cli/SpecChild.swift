internal import ArgumentParser
internal import Dispatch
internal import Foundation
@_spi(Runner) internal import InfraSpec

#if canImport(Glibc)
  internal import Glibc
#endif

/// The running spec binary: started with a clean signal mask and default signal actions (the
/// thread that starts it may have every signal blocked, which a child would inherit), sent every
/// SIGINT, SIGTERM and SIGHUP this process gets, its stderr passed through while the end of it is
/// kept for a crash report.
final class SpecChild: @unchecked Sendable {
  let pid: pid_t
  /// In the environment of the spec binary and so of every probe it starts (`INFRASPEC_RUN`), so
  /// the probes a crashed spec binary leaves behind can still be found and stopped.
  let runToken = "\(getpid())-\(UInt64.random(in: 1...UInt64.max))"
  private let stderrPipe: Int32
  private let done = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var tail: [UInt8] = []
  private var forwarders: [any DispatchSourceSignal] = []

  /// The last bytes of stderr kept for a crash report: enough for a runtime message and backtrace.
  static let tailLimit = 64 * 1024

  init(binary: String, arguments: [String]) throws {
    var pipe: [Int32] = [0, 0]
    guard Glibc.pipe(&pipe) == 0 else { throw Self.failure("cannot make a pipe", binary) }
    // Only the child's stderr gets the write end: nothing else this process starts inherits them.
    for end in pipe { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, number) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    // Listen before the child exists, so a Ctrl-C in between is not lost.
    for number in [SIGINT, SIGTERM, SIGHUP] { Self.ignoreIfDefault(number) }
    let argv = ([binary] + arguments).map { strdup($0) } + [nil]
    var environment = ProcessInfo.processInfo.environment
    // A crash report names the spec line (the spec is built with -g); registers and the image list
    // would only bury it. A user's own setting wins.
    environment["INFRASPEC_RUN"] = runToken
    if environment["SWIFT_BACKTRACE"] == nil {
      environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,registers=none,images=none"
    }
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, binary, &actions, &attributes, argv, envp)
    close(pipe[1])
    guard spawned == 0 else {
      close(pipe[0])
      errno = spawned
      throw Self.failure("cannot start", binary)
    }
    self.pid = pid
    stderrPipe = pipe[0]
    forwarders = [SIGINT, SIGTERM, SIGHUP].map { number in
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { kill(pid, number) }
      source.resume()
      return source
    }
    Thread.detachNewThread { [self] in pump() }
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
    for source in forwarders { source.cancel() }
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

  /// SIG_IGN only over the default action: once libdispatch has put its handler in place for a
  /// signal source (`--watch` keeps one beside each child's), SIG_IGN would drop the signal.
  static func ignoreIfDefault(_ number: Int32) {
    var current = sigaction()
    sigaction(number, nil, &current)
    if current.__sigaction_handler.sa_handler == nil { signal(number, SIG_IGN) }
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

  private static func failure(_ what: String, _ binary: String) -> ArgumentParser.ExitCode {
    OutputStream.standardError.write("infraspec: \(what) \(binary): \(String(cString: strerror(errno)))\n")
    return ArgumentParser.ExitCode(2)
  }
}
