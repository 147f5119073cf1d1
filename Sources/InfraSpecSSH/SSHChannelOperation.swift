@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials
internal import Glibc

/// One channel's life on an `SSHConnection`: open, start, exchange bytes, close, free.
///
/// Everything here runs on the connection's thread (libssh2 sessions are not thread-safe), which
/// is what makes the `@unchecked Sendable` sound: other threads only hand operations over.
final class SSHChannelOperation: @unchecked Sendable {
  enum Kind {
    /// A session channel running `command` through the remote login shell.
    case exec(String)
    /// A `direct-tcpip` channel to `host:port` as the server sees it.
    case directTCPIP(host: String, port: UInt16)
  }

  enum State {
    case waitingToOpen, opening, starting, running, closing, waitingClosed, freeing, done
  }

  let kind: Kind
  var state = State.waitingToOpen
  var channel: OpaquePointer?
  /// Bytes still to send; for `exec`, EOF follows them.
  var input: [UInt8] = []
  var inputOffset = 0
  var eofSent = false
  /// For `exec`: never send EOF after `input`; the remote side watches its input for the end.
  var keepsInputOpen = false
  /// Everything wanted has arrived: close the channel without waiting for the remote side.
  var isSatisfied = false
  /// Not before this instant may the open be tried again (the server refused a channel).
  var retryOpenAt: ContinuousClock.Instant?
  var openAttempts = 0
  /// How long opening may take once a channel slot is free: waiting for a slot is queueing, fair
  /// and in order, and never counts against this.
  var openTimeout: Duration?
  /// When the operation gives up; moved forward by callers as data arrives.
  var deadline: ContinuousClock.Instant?
  /// What to report if `deadline` passes.
  var deadlineError: ProbeError = .connection("SSH channel timed out")
  /// Set when the outcome is already decided (an error, a cancellation); closing still follows.
  var outcome: ProbeError?

  /// Called on the connection's thread at every turn of its loop, and at `wakeAt` at the latest:
  /// a batch's watchdog sends its deadline kills from here.
  var onTick: () -> Void = {}
  var wakeAt: ContinuousClock.Instant?
  /// True while the receiver holds enough unread bytes: the channel is not read meanwhile (the
  /// receiver wakes the connection when it has taken some).
  var isPaused: () -> Bool = { false }
  var onOpen: (Result<Void, ProbeError>) -> Void = { _ in }
  var onStdout: ([UInt8]) -> Void = { _ in }
  var onStderr: ([UInt8]) -> Void = { _ in }
  /// Called once, with the exit status (or -1 when there is none) or the error.
  var onFinish: (Result<Int32, ProbeError>) -> Void = { _ in }

  init(_ kind: Kind) {
    self.kind = kind
  }

  var isExec: Bool {
    if case .exec = kind { return true }
    return false
  }
}
