@_spi(Runner) package import InfraSpecCore
internal import FoundationEssentials
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Musl)
  internal import Musl
#endif

/// The one place InfraSpec starts a program: probes (`ChildProcess`), `ssh` (`SSHClientProcess`),
/// `swiftc`, the spec binary and the tests' fixtures all come through `spawn`.
///
/// posix_spawn and waitpid, not Foundation's `Process`, whose monitor thread can miss exits when
/// several children run at once. Every child starts with a clean signal mask and default signal
/// actions, whatever the spawning thread blocks or ignores: a child that cannot receive SIGINT or
/// SIGTERM outlives the run.
package struct Subprocess: Sendable {
  /// Where one of the child's standard streams goes.
  package enum Stream: Sendable, Equatable {
    /// A pipe; the parent's end is in `stdin`, `stdout` or `stderr`.
    case pipe
    /// `/dev/null`.
    case null
    /// The same descriptor as this process.
    case inherit
    /// A file, created or truncated (a daemon the child starts may hold it open forever, which a
    /// pipe's reader would wait for).
    case file(String)
    /// For stderr only: the same descriptor as the child's stdout.
    case stdout
  }

  package let pid: Int32
  /// The parent's end of each stream made with `.pipe`, else -1. The caller closes them.
  package let stdin: Int32
  package let stdout: Int32
  package let stderr: Int32
  /// Whether the child leads its own process group, so `kill(-pid, …)` stops what it started too.
  package let ownsGroup: Bool

  /// Pipes are made and the child spawned under one lock: a pipe end created by one thread must be
  /// close-on-exec before another thread spawns, or that child inherits it and the first reader
  /// never sees end-of-file. (Glibc's module map does not export pipe2.)
  private static let spawnLock = ThreadLock()

  /// Starts `argv` (searched on this process's PATH unless it holds a slash) with `environment`
  /// ("NAME=value" entries; nil: this process's own).
  package static func spawn(
    _ argv: [String], environment: [String]? = nil, stdin: Stream = .null, stdout: Stream = .null,
    stderr: Stream = .null, ownGroup: Bool = false
  ) throws(ProbeError) -> Subprocess {
    guard let program = argv.first, !program.isEmpty else { throw .other("empty command") }
    if argv.contains(where: { $0.utf8.contains(0) }) {
      throw .other("argument contains a NUL byte: \(argv.joined(separator: " "))")
    }
    spawnLock.lock()
    defer { spawnLock.unlock() }
    var pipes: [[Int32]] = []
    func closePipes() { for pair in pipes { pair.forEach { _ = close($0) } } }
    func makePipe() throws(ProbeError) -> [Int32] {
      var pair: [Int32] = [-1, -1]
      guard pipe(&pair) == 0 else {
        closePipes()
        throw .other("cannot create pipes for \(program): \(String(cString: strerror(errno)))")
      }
      for descriptor in pair { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
      pipes.append(pair)
      return pair
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // Parent's end and child's end of each piped stream (stdin is read by the child).
    var ends: [(parent: Int32, child: Int32)] = []
    for (number, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
      switch stream {
      case .pipe:
        let pair = try makePipe()
        let end = number == 0 ? (parent: pair[1], child: pair[0]) : (parent: pair[0], child: pair[1])
        ends.append(end)
        posix_spawn_file_actions_adddup2(&actions, end.child, number)
      case .null:
        ends.append((-1, -1))
        posix_spawn_file_actions_addopen(&actions, number, "/dev/null", number == 0 ? O_RDONLY : O_WRONLY, 0)
      case .inherit:
        ends.append((-1, -1))
      case .file(let path):
        ends.append((-1, -1))
        let flags = number == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC
        posix_spawn_file_actions_addopen(&actions, number, path, flags, 0o600)
      case .stdout:
        ends.append((-1, -1))
        posix_spawn_file_actions_adddup2(&actions, 1, number)
      }
    }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaultSignals = sigset_t()
    sigfillset(&defaultSignals)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
    if ownGroup {
      posix_spawnattr_setpgroup(&attributes, 0)
      flags |= POSIX_SPAWN_SETPGROUP
    }
    posix_spawnattr_setflags(&attributes, Int16(flags))
    let arguments = argv.map { strdup($0) } + [nil]
    let variables = (environment ?? Self.currentEnvironment()).map { strdup($0) } + [nil]
    defer { (arguments + variables).forEach { free($0) } }
    var pid: pid_t = 0
    let status = posix_spawnp(&pid, program, &actions, &attributes, arguments, variables)
    for end in ends where end.child >= 0 { close(end.child) }
    guard status == 0 else {
      for end in ends where end.parent >= 0 { close(end.parent) }
      if status == ENOENT { throw .commandNotFound(program) }
      throw .other("cannot run \(program): \(String(cString: strerror(status)))")
    }
    return Subprocess(
      pid: pid, stdin: ends[0].parent, stdout: ends[1].parent, stderr: ends[2].parent, ownsGroup: ownGroup)
  }

  /// Blocks until the child ends (do not call it on the cooperative pool); its decoded status.
  @discardableResult
  package func wait() -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return Self.decode(status)
  }

  /// Sends `signal` to the child, or to its whole group when it leads one.
  package func kill(_ signal: Int32? = nil) {
    _ = Glibc.kill(ownsGroup ? -pid : pid, signal ?? SIGKILL)
  }

  /// Stops the child (SIGKILL), reaps it and closes the parent's ends: for fixtures that run as
  /// long as a test.
  package func terminate() {
    kill(SIGKILL)
    wait()
    for descriptor in [stdin, stdout, stderr] where descriptor >= 0 { close(descriptor) }
  }

  /// A wait status as a shell shows it: the exit code, or 128 + the signal number.
  package static func decode(_ status: Int32) -> Int32 {
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
  }

  /// This process's environment as "NAME=value" entries.
  package static func currentEnvironment() -> [String] {
    var result: [String] = []
    var index = 0
    while let entry = environ[index] {
      result.append(String(cString: entry))
      index += 1
    }
    return result
  }

  /// `variables` as "NAME=value" entries, in a stable order.
  package static func environment(_ variables: [String: String]) -> [String] {
    variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
  }
}

extension Subprocess {
  /// Blocks until the child wrote a line on its stdout pipe (or closed it); the line without
  /// white space around it. For fixtures that say "ready" before they serve.
  package func readLine() -> String {
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while line.last != 0x0a {
      let count = read(stdout, &byte, 1)
      if count < 0 && errno == EINTR { continue }
      guard count == 1 else { break }
      line.append(byte)
    }
    return String(decoding: line, as: UTF8.self).trimmingWhitespace()
  }
}
