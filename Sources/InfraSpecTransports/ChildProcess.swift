@_spi(Runner) internal import InfraSpecCore
internal import FoundationEssentials
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Musl)
  internal import Musl
#endif

/// One local child process: spawned in its own process group, read until exit, killed at timeout.
package enum ChildProcess {
  /// A probe's output past this is an error, not a fact: no check needs it and memory stays bounded.
  static let outputLimit = 64 << 20
  private static let spawnLock = ThreadLock()
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
    guard let program = command.argv.first, !program.isEmpty else {
      return .failure(.other("empty command"))
    }
    if command.argv.contains(where: { $0.utf8.contains(0) }) {
      return .failure(.other("argument contains a NUL byte: \(command)"))
    }
    // Pipes are made and the child spawned under one lock: a pipe end created by one thread must
    // be close-on-exec before another thread spawns, or that child inherits it and the first
    // probe never sees end-of-file. (Glibc's module map does not export pipe2.)
    spawnLock.lock()
    var locked = true
    defer { if locked { spawnLock.unlock() } }
    var stdoutPipe: [Int32] = [-1, -1]
    var stderrPipe: [Int32] = [-1, -1]
    var stdinPipe: [Int32] = [-1, -1]
    guard pipe(&stdoutPipe) == 0, pipe(&stderrPipe) == 0, pipe(&stdinPipe) == 0 else {
      return .failure(.other("cannot create pipes: \(String(cString: strerror(errno)))"))
    }
    for descriptor in stdoutPipe + stderrPipe + stdinPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // Its own process group, so a timeout kills the probe and everything it started.
    var defaultSignals = sigset_t()
    sigfillset(&defaultSignals)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let environment = probeEnvironment()
    var pid: pid_t = 0
    let spawnError = withCStrings(command.argv) { argv in
      withCStrings(environment) { envp in
        posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
      }
    }
    close(stdoutPipe[1])
    close(stderrPipe[1])
    close(stdinPipe[0])
    if spawnError == 0 { running.withLock { _ = $0.insert(pid) } }
    spawnLock.unlock()
    locked = false
    guard spawnError == 0 else {
      close(stdoutPipe[0])
      close(stderrPipe[0])
      close(stdinPipe[1])
      if spawnError == ENOENT { return .failure(.commandNotFound(program)) }
      return .failure(.other("cannot run \(program): \(String(cString: strerror(spawnError)))"))
    }
    if !command.stdin.isEmpty {
      _ = command.stdin.withUnsafeBytes { write(stdinPipe[1], $0.baseAddress, $0.count) }
    }
    close(stdinPipe[1])
    defer { running.withLock { _ = $0.remove(pid) } }
    return collect(pid: pid, stdout: stdoutPipe[0], stderr: stderrPipe[0], command: command, timeout: timeout)
  }

  private static func collect(
    pid: pid_t, stdout: Int32, stderr: Int32, command: ProbeCommand, timeout: Duration
  ) -> Result<CommandOutput, ProbeError> {
    defer {
      close(stdout)
      close(stderr)
    }
    let deadline = ContinuousClock.now + timeout
    var output: [[UInt8]] = [[], []]
    var open = [true, true]
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
      kill(-pid, SIGKILL)
      if exitedAt == nil { waitpid(pid, &status, 0) }
      return timedOut
        ? .failure(.timedOut(command: command.description, after: timeout))
        : .failure(.other("output of \(command) exceeds \(outputLimit >> 20) MiB"))
    }
    // Both pipes are closed (or the grace is over); the child may still be exiting. Wait for it
    // within the same deadline.
    while exitedAt == nil {
      let waited = waitpid(pid, &status, WNOHANG)
      if waited == pid { break }
      if waited < 0 && errno != EINTR { return .failure(.other("lost child of \(command)")) }
      if ContinuousClock.now >= deadline {
        kill(-pid, SIGKILL)
        waitpid(pid, &status, 0)
        return .failure(.timedOut(command: command.description, after: timeout))
      }
      usleep(500)
    }
    // Grandchildren still in the group (a backgrounded process) must not outlive the probe.
    kill(-pid, SIGKILL)
    let exitStatus: Int32 =
      (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return .success(CommandOutput(exitStatus: exitStatus, stdout: output[0], stderr: output[1]))
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

  private static func withCStrings<R>(
    _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
  ) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
  }
}
