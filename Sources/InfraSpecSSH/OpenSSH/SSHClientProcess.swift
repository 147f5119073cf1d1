@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials
internal import InfraSpecPlatform

#if canImport(Glibc)
  import Glibc
#endif

/// A local program (`ssh`) started by `Subprocess` with pipes on all three streams, driven by one
/// thread with `poll()` so stdin is written while stdout and stderr are read (no pipe-buffer
/// deadlock).
package final class SSHClientProcess: @unchecked Sendable {
  let pid: pid_t
  private let lock = ThreadLock()
  private var silenceDeadline: ContinuousClock.Instant?
  /// More bytes for a child whose stdin is kept open, written by the child's thread.
  private var moreInput: [UInt8] = []
  /// Called on the driving thread at every turn of its loop (at least every 200 ms), before
  /// pending input is written: a batch's watchdog sends its deadline kills from here.
  private var tick: (() -> Void)?
  /// Set by `closeInput`: the held standard input is closed at the next turn of the loop.
  private var inputClosing = false
  /// Every `ssh` still running, so an interrupted run can stop them (`ChildProcess.killAll`).
  private static let registryLock = ThreadLock()
  nonisolated(unsafe) private static var running: Set<pid_t> = []

  /// The `ssh` processes still running.
  static var runningPIDs: Set<pid_t> { registryLock.withLock { running } }

  /// Stops every `ssh` this process started that is still running; SIGTERM lets a master
  /// remove its control socket.
  package static func terminateAll() {
    for pid in registryLock.withLock({ running }) { _ = Glibc.kill(pid, SIGTERM) }
  }

  private init(pid: pid_t) {
    self.pid = pid
  }

  /// A child that exits while we still write its stdin must not kill this process.
  static func ignoreBrokenPipes() {
    _ = brokenPipesIgnored
  }

  private static let brokenPipesIgnored: Bool = {
    signal(SIGPIPE, SIG_IGN)
    return true
  }()

  /// Starts `argv`; callbacks run on the child's own thread, `onExit` last, with the wait status
  /// decoded (exit code, or 128 + signal).
  static func start(
    _ argv: [String], environment: [String: String], input: [UInt8], keepInputOpen: Bool = false,
    onStdout: @escaping ([UInt8]) -> Void, onStderr: @escaping ([UInt8]) -> Void,
    onExit: @escaping (Int32) -> Void
  ) throws(ProbeError) -> SSHClientProcess {
    let spawned = try Subprocess.spawn(
      argv, environment: Subprocess.environment(environment), stdin: .pipe, stdout: .pipe, stderr: .pipe)
    let pid = spawned.pid
    let child = SSHClientProcess(pid: pid)
    registryLock.withLock { _ = running.insert(pid) }
    let callbacks = Callbacks(stdout: onStdout, stderr: onStderr, exit: onExit)
    let (stdin, stdout, stderr) = (spawned.stdin, spawned.stdout, spawned.stderr)
    let thread = PlainThread {
      child.drive(
        stdin: stdin, stdout: stdout, stderr: stderr, input: input, keepInputOpen: keepInputOpen, callbacks)
    }
    thread.start()
    return child
  }

  /// Kills the child if nothing arrives on stdout for `limit` from now; each output moves it on.
  func killIfSilent(for limit: Duration?) {
    lock.lock()
    silenceDeadline = limit.map { .now + $0 }
    lock.unlock()
  }

  /// Queues `bytes` for the child's stdin (kept open with `keepInputOpen`); written within 200 ms.
  func onTick(_ body: @escaping () -> Void) {
    lock.withLock { tick = body }
  }

  /// Closes the child's standard input (what a dropped connection does to the batch script).
  func closeInput() {
    lock.withLock { inputClosing = true }
  }

  func send(_ bytes: [UInt8]) {
    lock.withLock { moreInput += bytes }
  }

  func kill() {
    _ = Glibc.kill(pid, SIGKILL)
  }

  /// The callbacks move to the child's thread once and are only called there.
  private struct Callbacks: @unchecked Sendable {
    var stdout: ([UInt8]) -> Void
    var stderr: ([UInt8]) -> Void
    var exit: (Int32) -> Void
  }

  /// With `keepInputOpen` the child's stdin stays open (after `input`) until the child exits.
  private func drive(
    stdin: Int32, stdout: Int32, stderr: Int32, input: [UInt8], keepInputOpen: Bool, _ callbacks: Callbacks
  ) {
    var stdin = stdin
    var held: Int32 = -1
    var open = [stdout, stderr]
    var offset = 0
    _ = fcntl(stdin, F_SETFL, fcntl(stdin, F_GETFL) | O_NONBLOCK)
    if input.isEmpty {
      if keepInputOpen { held = stdin } else { close(stdin) }
      stdin = -1
    }
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while !open.isEmpty {
      var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      if stdin >= 0 { descriptors.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
      _ = poll(&descriptors, nfds_t(descriptors.count), 200)
      lock.withLock { tick }?()
      lock.lock()
      let deadline = silenceDeadline
      let more = moreInput
      moreInput = []
      let closing = inputClosing
      lock.unlock()
      if held >= 0 && !more.isEmpty {
        // Short control lines: a blocking write of a few bytes to a pipe.
        _ = fcntl(held, F_SETFL, fcntl(held, F_GETFL) & ~O_NONBLOCK)
        _ = more.withUnsafeBytes { write(held, $0.baseAddress, $0.count) }
      }
      if closing && held >= 0 {
        close(held)
        held = -1
      }
      if let deadline, deadline < .now { kill() }
      for descriptor in descriptors where descriptor.revents != 0 {
        if descriptor.fd == stdin {
          let written = input.withUnsafeBytes { write(stdin, $0.baseAddress! + offset, input.count - offset) }
          if written > 0 { offset += written }
          if written < 0 && errno != EAGAIN || offset == input.count {
            if keepInputOpen && offset == input.count { held = stdin } else { close(stdin) }
            stdin = -1
          }
          continue
        }
        let count = read(descriptor.fd, &buffer, buffer.count)
        if count > 0 {
          let bytes = Array(buffer[0..<count])
          if descriptor.fd == stdout {
            callbacks.stdout(bytes)
          } else {
            callbacks.stderr(bytes)
          }
        } else if count == 0 || errno != EINTR && errno != EAGAIN {
          close(descriptor.fd)
          open.removeAll { $0 == descriptor.fd }
        }
      }
    }
    if stdin >= 0 { close(stdin) }
    var status: Int32 = 0
    // The tick holds the transport's closures, which hold this process: let go of them.
    lock.withLock { tick = nil }
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    if held >= 0 { close(held) }
    Self.registryLock.withLock { _ = Self.running.remove(pid) }
    callbacks.exit(Subprocess.decode(status))
  }
}
