@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import Dispatch

#if canImport(Glibc)
  internal import Glibc
#endif

/// Turns SIGINT, SIGTERM and SIGHUP into a call, once, instead of the default instant death that would
/// lose every result already gathered.
final class Interruption {
  private let sources: [any DispatchSourceSignal]

  private init(sources: [any DispatchSourceSignal]) { self.sources = sources }

  /// `handler` gets the signal's name (`SIGINT`, `SIGTERM`, `SIGHUP`).
  static func install(_ handler: @escaping @Sendable (String) -> Void) -> Interruption {
    // Whoever started us may have left these blocked (a blocked SIGINT never arrives, so Ctrl-C
    // would do nothing): unblock them before listening.
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    for number in [SIGHUP, SIGINT, SIGQUIT, SIGTERM] { sigaddset(&unblocked, number) }
    pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    let sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")].map { number, name in
      ignoreIfDefault(number)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { handler(name) }
      source.resume()
      return source
    }
    return Interruption(sources: sources)
  }

  /// Sets SIG_IGN only over the default action. libdispatch installs its own handler for a
  /// signal when its first source is made; setting SIG_IGN again after that (a second install:
  /// `--watch` runs one per round beside its own) would silently drop every later signal.
  static func ignoreIfDefault(_ number: Int32) {
    var current = sigaction()
    sigaction(number, nil, &current)
    if current.__sigaction_handler.sa_handler == nil { signal(number, SIG_IGN) }
  }

  func cancel() {
    for source in sources { source.cancel() }
  }

  /// Gives the process a clean signal mask, so spec code that loops at the top level still dies
  /// of Ctrl-C: a parent (a CI agent, a supervisor) may have started it with signals blocked.
  static func unblockSignals() {
    var none = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, nil)
  }
}
