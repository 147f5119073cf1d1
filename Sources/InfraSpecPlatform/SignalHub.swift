internal import Glibc

/// SIGINT, SIGTERM and SIGHUP, delivered to whoever listens, however the process's threads mask
/// them.
///
/// Not libdispatch's signal sources: on Linux they read a `signalfd`, which sees a signal only
/// while every thread blocks it. A thread that does not (the main thread parked in
/// `sigsuspend` with an empty mask, a thread that unblocked it) takes the signal itself, and
/// with the SIG_IGN those sources need, it is dropped: a `--watch` Ctrl-C was lost now and then
/// and the run went on forever. Here a real handler (any thread may run it) writes the signal's
/// number into a pipe, and one plain thread reads the pipe and calls the listeners.
package enum SignalHub {
  /// The signals this hub takes over.
  package static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

  /// A registration, to end with `remove`.
  package struct Token: Sendable, Hashable {
    fileprivate let id: Int
  }

  /// Calls `listener` with the signal's number for each of `signals` that arrives, on the hub's
  /// own thread, until `remove`. The handlers are installed on the first call.
  package static func listen(_ listener: @escaping @Sendable (Int32) -> Void) -> Token {
    started.touch()
    return listeners.withLock {
      $0.next += 1
      $0.all[$0.next] = listener
      return Token(id: $0.next)
    }
  }

  package static func remove(_ token: Token) {
    _ = listeners.withLock { $0.all.removeValue(forKey: token.id) }
  }

  private struct Listeners {
    var next = 0
    var all: [Int: @Sendable (Int32) -> Void] = [:]
  }

  private static let listeners = Locked(Listeners())

  /// The pipe's write end, read by the handler: set once before any handler is installed.
  nonisolated(unsafe) private static var writeEnd: Int32 = -1

  /// Opens the pipe, starts the reader and installs the handlers, once.
  private static let started = Started()

  private final class Started: @unchecked Sendable {
    init() {
      var ends: [Int32] = [-1, -1]
      guard pipe(&ends) == 0 else { preconditionFailure("pipe for the signal hub failed") }
      // Nothing started later may inherit the ends; and a burst of signals must never block the
      // handler: a full pipe drops the extra ones.
      for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
      _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
      SignalHub.writeEnd = ends[1]
      let readEnd = ends[0]
      let thread = PlainThread {
        var number: Int32 = 0
        while true {
          let count = read(readEnd, &number, MemoryLayout<Int32>.size)
          if count < 0 && errno == EINTR { continue }
          guard count == MemoryLayout<Int32>.size else { return }
          let signal = number
          for listener in SignalHub.listeners.withLock({ Array($0.all.values) }) { listener(signal) }
        }
      }
      thread.stackSize = 256 * 1024
      thread.start()
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { number in
        let saved = errno
        var value = number
        _ = write(SignalHub.writeEnd, &value, MemoryLayout<Int32>.size)
        errno = saved
      }
      action.sa_flags = Int32(SA_RESTART)
      sigemptyset(&action.sa_mask)
      var unblocked = sigset_t()
      sigemptyset(&unblocked)
      for number in SignalHub.signals {
        sigaction(number, &action, nil)
        sigaddset(&unblocked, number)
      }
      // Whoever started us may have left these blocked (a blocked SIGINT never arrives, so Ctrl-C
      // would do nothing).
      pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }

    func touch() {}
  }
}

/// A value behind a `ThreadLock`.
package final class Locked<Value>: @unchecked Sendable {
  private let lock = ThreadLock()
  private var value: Value

  package init(_ value: Value) { self.value = value }

  package func withLock<T>(_ body: (inout Value) -> T) -> T {
    lock.withLock { body(&value) }
  }
}
