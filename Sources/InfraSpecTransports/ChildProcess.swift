@_spi(Runner) package import InfraSpecCore
internal import FoundationEssentials
internal import Synchronization
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Musl)
  internal import Musl
#endif

/// A local program run to its end: spawned (`Subprocess`), read until exit, killed at timeout.
package enum ChildProcess {
  /// A probe's output past this is an error, not a fact: no check needs it and memory stays bounded.
  static let outputLimit = 64 << 20
  /// Process groups of children still running, so an interrupted run can kill them all.
  private static let running = Mutex<Set<pid_t>>([])

  /// Kills every local probe still running (Ctrl-C): their groups, so their own children go too.
  /// (`ssh` clients are the SSH target's: `SSHClientProcess.terminateAll`.)
  package static func killAll() {
    for group in running.withLock({ $0 }) { kill(-group, SIGKILL) }
  }

  /// How long output is still read after the child exited: a daemon it started may hold the
  /// pipes open forever, and what the child itself wrote is already in them.
  static let drainGrace = Duration.milliseconds(100)

  static func run(_ command: ProbeCommand, timeout: Duration) -> Result<CommandOutput, ProbeError> {
    run(command.argv, environment: probeEnvironment(), input: command.stdin, timeout: timeout, ownGroup: true)
  }

  /// Runs `argv` to its end, reading stdout and stderr (stderr into stdout with `mergeStderr`),
  /// killing it at `timeout` (nil: never) or past `outputLimit`. With `ownGroup` it runs in its
  /// own process group and everything it started dies with it; without, a daemon it starts lives
  /// on and only the child's own output is read (`drainGrace`). Blocks: run it off the
  /// cooperative pool (`runOffPool`).
  /// `onSpawn` learns the child's pid as soon as it exists (and `onExit` once it is reaped), for
  /// a caller that must stop it from a signal handler.
  package static func run(
    _ argv: [String], environment: [String]? = nil, input: [UInt8] = [], timeout: Duration?,
    ownGroup: Bool, mergeStderr: Bool = false, onSpawn: (Int32) -> Void = { _ in },
    onExit: (Int32) -> Void = { _ in }
  ) -> Result<CommandOutput, ProbeError> {
    let child: Subprocess
    do {
      child = try Subprocess.spawn(
        argv, environment: environment, stdin: .pipe, stdout: .pipe, stderr: mergeStderr ? .stdout : .pipe,
        ownGroup: ownGroup)
    } catch {
      return .failure(error)
    }
    onSpawn(child.pid)
    defer { onExit(child.pid) }
    if ownGroup { running.withLock { _ = $0.insert(child.pid) } }
    defer { if ownGroup { running.withLock { _ = $0.remove(child.pid) } } }
    if !input.isEmpty {
      _ = input.withUnsafeBytes { write(child.stdin, $0.baseAddress, $0.count) }
    }
    close(child.stdin)
    return collect(child, name: ProbeCommand(argv).description, timeout: timeout)
  }

  /// `run` on a thread of its own, so the blocking poll() and waitpid() never hold one of the few
  /// cooperative-pool threads the rest of the run (or test run) needs.
  package static func runOffPool(
    _ argv: [String], environment: [String]? = nil, input: [UInt8] = [], timeout: Duration?,
    ownGroup: Bool, mergeStderr: Bool = false, onSpawn: @escaping @Sendable (Int32) -> Void = { _ in },
    onExit: @escaping @Sendable (Int32) -> Void = { _ in }
  ) async -> Result<CommandOutput, ProbeError> {
    await offPool {
      run(
        argv, environment: environment, input: input, timeout: timeout, ownGroup: ownGroup,
        mergeStderr: mergeStderr, onSpawn: onSpawn, onExit: onExit)
    }
  }

  /// Runs blocking `work` on a new thread and resumes with its result.
  package static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
      let thread = PlainThread { continuation.resume(returning: work()) }
      thread.stackSize = 256 * 1024
      thread.start()
    }
  }

  private static func collect(
    _ child: Subprocess, name command: String, timeout: Duration?
  ) -> Result<CommandOutput, ProbeError> {
    let (pid, stdout, stderr) = (child.pid, child.stdout, child.stderr)
    defer {
      close(stdout)
      if stderr >= 0 { close(stderr) }
    }
    // No timeout: a deadline no run reaches.
    let deadline = ContinuousClock.now + (timeout ?? .seconds(365 * 86_400))
    var output: [[UInt8]] = [[], []]
    var open = [true, stderr >= 0]
    var buffer = [UInt8](repeating: 0, count: 65536)
    var timedOut = false
    var tooLarge = false
    var status: Int32 = 0
    var exitedAt: ContinuousClock.Instant?
    while open[0] || open[1] {
      let now = ContinuousClock.now
      if exitedAt == nil {
        let waited = waitpid(pid, &status, WNOHANG)
        if waited == pid { exitedAt = now }
        if waited < 0 && errno != EINTR { return .failure(.other("lost child of \(command)")) }
      }
      // After the grace only what is already in the pipes is read (a late thread must not cut
      // off the child's own last bytes), without waiting for more.
      let draining = exitedAt.map { now - $0 >= drainGrace } ?? false
      let remaining = deadline - now
      if remaining <= .zero && exitedAt == nil {
        timedOut = true
        break
      }
      var fds = [
        pollfd(fd: open[0] ? stdout : -1, events: Int16(POLLIN), revents: 0),
        pollfd(fd: open[1] ? stderr : -1, events: Int16(POLLIN), revents: 0),
      ]
      let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + 1)
      // Short polls until the child exits: its exit is seen by waitpid, not by the pipes.
      let ready = poll(&fds, 2, draining ? 0 : exitedAt == nil ? min(milliseconds, 10) : 10)
      if ready < 0 && errno != EINTR || draining && ready == 0 { break }
      for index in 0..<2 where open[index] && fds[index].revents != 0 {
        let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
        if count > 0 {
          output[index].append(contentsOf: buffer[0..<count])
          if output[index].count > outputLimit { tooLarge = true }
        } else if count == 0 || errno != EINTR {
          open[index] = false
        }
      }
      if tooLarge { break }
    }
    if timedOut || tooLarge {
      child.kill()
      if exitedAt == nil { waitpid(pid, &status, 0) }
      return timedOut
        ? .failure(.timedOut(command: command, after: timeout ?? .zero))
        : .failure(.other("output of \(command) exceeds \(outputLimit >> 20) MiB"))
    }
    // Both pipes are closed (or the grace is over); the child may still be exiting. Wait for it
    // within the same deadline.
    while exitedAt == nil {
      let waited = waitpid(pid, &status, WNOHANG)
      if waited == pid { break }
      if waited < 0 && errno != EINTR { return .failure(.other("lost child of \(command)")) }
      if ContinuousClock.now >= deadline {
        child.kill()
        waitpid(pid, &status, 0)
        return .failure(.timedOut(command: command, after: timeout ?? .zero))
      }
      usleep(500)
    }
    // Grandchildren still in the group (a backgrounded process) must not outlive the probe.
    if child.ownsGroup { child.kill() }
    return .success(
      CommandOutput(exitStatus: Subprocess.decode(status), stdout: output[0], stderr: output[1]))
  }

  /// The caller's environment with a fixed locale (parsers read C-locale output) and the sbin
  /// directories on PATH (`ip`, `ss` and `sysctl` live there and non-root PATHs may lack them).
  private static func probeEnvironment() -> [String] {
    var result: [String] = []
    var path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    var index = 0
    while let entry = environ[index] {
      let text = String(cString: entry)
      index += 1
      if text.hasPrefix("LC_") || text.hasPrefix("LANG=") || text.hasPrefix("LANGUAGE=") { continue }
      if text.hasPrefix("PATH=") {
        path = String(text.dropFirst(5)) + ":/usr/sbin:/sbin"
        continue
      }
      result.append(text)
    }
    return result + ["PATH=\(path)", "LC_ALL=C"]
  }
}
