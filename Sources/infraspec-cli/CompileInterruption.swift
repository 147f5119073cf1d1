internal import FoundationEssentials
internal import InfraSpecCore
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#endif

/// Ctrl-C, SIGTERM or SIGHUP during a compile removes its work folder (which holds copies of the
/// specs) before the process dies; the folder of a compile killed outright (SIGKILL) is removed
/// by the next compile (`SpecCache.sweep`).
///
/// The handler may only do async-signal-safe work. It kills the running compilers' process
/// groups and waits (a bounded second) until they are gone, since a compiler still running
/// writes into the folder and recreates it; then it forks `rm -rf FOLDER` (argv prepared
/// beforehand), waits for it and exits as the signal would have. A caught signal is reset to its
/// default on exec, so nothing of this reaches the spec binary or swiftc.
enum CompileInterruption {
  nonisolated(unsafe) private static var removal: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
  private static let signals = [SIGINT, SIGTERM, SIGHUP]

  /// Process groups of running compilers, 0 for a free slot. Written under `slotsLock` by the
  /// threads that start compilers, read by the handler: aligned 32-bit words, so it never sees
  /// a torn value, and a compiler that has just ended is at worst signalled after it is gone.
  nonisolated(unsafe) private static let groups: UnsafeMutablePointer<pid_t> = {
    let slots = UnsafeMutablePointer<pid_t>.allocate(capacity: slotCount)
    slots.initialize(repeating: 0, count: slotCount)
    return slots
  }()
  private static let slotCount = 64
  private static let slotsLock = ThreadLock()

  /// Set first thing by the handler. A compiler it killed ends with 137 on another thread, which
  /// must then not go on to report "does not compile" and exit 65 before the handler's own exit.
  nonisolated(unsafe) private static var interrupted: sig_atomic_t = 0

  /// On a thread that saw a compiler end: when a handler is stopping this compile, waits for it
  /// to end the process (it exits as the signal would have), so no other verdict is printed.
  static func waitIfInterrupted() {
    guard interrupted != 0 else { return }
    while true { pause() }
  }

  @Sendable static func compilerStarted(_ pid: pid_t) {
    slotsLock.withLock {
      if let free = (0..<slotCount).first(where: { groups[$0] == 0 }) { groups[free] = pid }
    }
  }

  @Sendable static func compilerEnded(_ pid: pid_t) {
    slotsLock.withLock {
      if let slot = (0..<slotCount).first(where: { groups[$0] == pid }) { groups[slot] = 0 }
    }
  }

  /// In the handler: SIGKILL every compiler's group, reap the direct children, and poll (50 ms
  /// steps, at most a second) until no member of any group is left.
  private static func stopCompilers() {
    for slot in 0..<slotCount where groups[slot] > 0 { kill(-groups[slot], SIGKILL) }
    var pause = timespec(tv_sec: 0, tv_nsec: 50_000_000)
    for _ in 0..<20 {
      var alive = false
      for slot in 0..<slotCount where groups[slot] > 0 {
        var status: Int32 = 0
        _ = waitpid(groups[slot], &status, WNOHANG)
        if kill(-groups[slot], 0) == 0 { alive = true }
      }
      if !alive { return }
      nanosleep(&pause, nil)
    }
  }

  /// Arms the handlers for `folder`; returns what to restore when the compile is over.
  static func arm(removing folder: String) -> [sigaction] {
    let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 4)
    argv.initialize(from: [strdup("/bin/rm"), strdup("-rf"), strdup(folder), nil], count: 4)
    removal = argv
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { number in
      CompileInterruption.interrupted = 1
      CompileInterruption.stopCompilers()
      let child = fork()
      if child == 0 {
        if let argv = CompileInterruption.removal { execv("/bin/rm", argv) }
        _exit(127)
      }
      var status: Int32 = 0
      if child > 0 { waitpid(child, &status, 0) }
      _exit(128 + number)
    }
    return signals.map { number in
      var previous = sigaction()
      sigaction(number, &action, &previous)
      return previous
    }
  }

  /// Puts back the handlers `arm` replaced.
  static func disarm(_ previous: [sigaction]) {
    for (number, action) in zip(signals, previous) {
      var action = action
      sigaction(number, &action, nil)
    }
  }
}
