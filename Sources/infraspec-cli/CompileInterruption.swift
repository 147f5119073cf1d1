internal import FoundationEssentials

#if canImport(Glibc)
  internal import Glibc
#endif

/// Ctrl-C, SIGTERM or SIGHUP during a compile removes its work folder (which holds copies of the
/// specs) before the process dies; the folder of a compile killed outright (SIGKILL) is removed
/// by the next compile (`SpecCache.sweep`).
///
/// The handler may only do async-signal-safe work, so it forks `rm -rf FOLDER` (argv prepared
/// beforehand), waits for it and exits as the signal would have. A caught signal is reset to its
/// default on exec, so nothing of this reaches the spec binary or swiftc.
enum CompileInterruption {
  nonisolated(unsafe) private static var removal: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
  private static let signals = [SIGINT, SIGTERM, SIGHUP]

  /// Arms the handlers for `folder`; returns what to restore when the compile is over.
  static func arm(removing folder: String) -> [sigaction] {
    let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 4)
    argv.initialize(from: [strdup("/bin/rm"), strdup("-rf"), strdup(folder), nil], count: 4)
    removal = argv
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { number in
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
