@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#endif

/// Turns SIGINT, SIGTERM and SIGHUP into a call instead of the default instant death that would
/// lose every result already gathered (through `SignalHub`, which loses none of them).
final class Interruption {
  private let token: SignalHub.Token

  private init(token: SignalHub.Token) { self.token = token }

  /// `handler` gets the signal's name (`SIGINT`, `SIGTERM`, `SIGHUP`).
  static func install(_ handler: @escaping @Sendable (String) -> Void) -> Interruption {
    Interruption(
      token: SignalHub.listen { number in
        handler(number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "SIGHUP")
      })
  }

  func cancel() { SignalHub.remove(token) }

  /// Gives the process a clean signal mask, so spec code that loops at the top level still dies
  /// of Ctrl-C: a parent (a CI agent, a supervisor) may have started it with signals blocked.
  static func unblockSignals() {
    var none = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, nil)
  }
}
