internal import Dispatch
internal import FoundationEssentials

#if canImport(Glibc)
  internal import Glibc
#endif

/// A toolchain program (swiftc) run to its end with stdin from /dev/null and stdout and stderr
/// collected together: posix_spawn, since `Foundation.Process` would pull full Foundation (and
/// its ICU data) into every spec binary `infraspec build` links from these objects.
enum ToolProcess {
  /// Exit status (127 when it cannot start, 128+N when killed by signal N) and combined output.
  static func run(_ program: String, _ arguments: [String], environment: [String: String]) async -> (
    status: Int32, output: String
  ) {
    var pipe: [Int32] = [0, 0]
    guard Glibc.pipe(&pipe) == 0 else {
      return (127, "cannot run \(program): cannot make a pipe: \(String(cString: strerror(errno)))\n")
    }
    // Only the child gets the write end; no other child started meanwhile inherits either end.
    for end in pipe { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The calling thread may have signals blocked or ignored; the compiler must not inherit that.
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, number) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
    close(pipe[1])
    guard spawned == 0 else {
      close(pipe[0])
      return (127, "cannot run \(program): \(String(cString: strerror(spawned)))\n")
    }
    let (reader, child) = (pipe[0], pid)
    return await withCheckedContinuation { continuation in
      // Blocking reads and waitpid: off the cooperative pool.
      DispatchQueue.global().async {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
          let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
          if count < 0 && errno == EINTR { continue }
          guard count > 0 else { break }
          output += buffer[..<count]
        }
        close(reader)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        continuation.resume(returning: (code, String(decoding: output, as: UTF8.self)))
      }
    }
  }
}
