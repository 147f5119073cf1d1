@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import CLibSSH2
internal import Dispatch
internal import FoundationEssentials
internal import InfraSpecPlatform

#if canImport(Glibc)
  import Glibc
#endif

/// One libssh2 session, owned by one thread that drives every channel with non-blocking calls
/// and `poll()`.
///
/// libssh2 sessions are not thread-safe, so nothing touches the session outside that thread;
/// other threads hand it work through `post`, guarded by `lock`. Reading stdout and stderr in the
/// same pass keeps a chatty stderr from stalling stdout at the 2 MiB window.
final class SSHConnection: @unchecked Sendable {
  /// Above this many open channels a new one waits; sshd's default MaxSessions is 10.
  static let maximumChannels = 8
  /// Refused opens, with none of our channels open, after which the server is taken at its word.
  static let refusalsWithNoChannelOpen = 5
  static let libraryStatus: Int32 = libssh2_init(0)

  let endpoint: SSHEndpoint
  let lock = ThreadLock()
  var inbox: [() -> Void] = []
  var stopping = false
  var exited = false
  var closeWaiters: [CheckedContinuation<Void, Never>] = []
  let wakeRead: Int32
  let wakeWrite: Int32

  var session: OpaquePointer?
  var socketDescriptor: Int32 = -1
  var operations: [SSHChannelOperation] = []
  var openOwner: SSHChannelOperation?
  var channelsInUse = 0
  var sessionChannelsOpened = 0
  var failure: ProbeError?
  var buffer = [CChar](repeating: 0, count: 65_536)
  var warnings: [String] = []
  /// The type of the host key the server proved it holds (`ssh-ed25519`, …), once verified.
  var hostKeyType: String?

  private init(endpoint: SSHEndpoint) {
    self.endpoint = endpoint
    var descriptors: [Int32] = [-1, -1]
    if pipe(&descriptors) == 0 {
      for descriptor in descriptors {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
      }
    }
    wakeRead = descriptors[0]
    wakeWrite = descriptors[1]
  }

  /// Connects, verifies the host key and authenticates; the connection's thread lives until `close`.
  static func open(_ endpoint: SSHEndpoint) async throws(ProbeError) -> SSHConnection {
    let connection = SSHConnection(endpoint: endpoint)
    let result: Result<Void, ProbeError> = await withCheckedContinuation { continuation in
      let thread = PlainThread { connection.threadMain(connected: { continuation.resume(returning: $0) }) }
      thread.start()
    }
    try result.get()
    return connection
  }

  /// Hands `operation` to the connection thread; it fails at once if the connection is gone.
  func submit(_ operation: SSHChannelOperation) {
    let accepted = post { [self] in
      if let failure {
        operation.state = .done
        operation.onFinish(.failure(failure))
      } else {
        operations.append(operation)
      }
    }
    if !accepted {
      operation.state = .done
      operation.onFinish(.failure(closedError))
    }
  }

  /// Stops `operation` early: closes its channel and reports `error` (unless it already finished).
  func cancel(_ operation: SSHChannelOperation, with error: ProbeError) {
    _ = post {
      guard operation.state != .done, operation.outcome == nil else { return }
      operation.outcome = error
    }
  }

  /// Runs `work` on the connection thread; false when the thread has ended.
  @discardableResult
  func post(_ work: @escaping () -> Void) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    guard !exited && !stopping else { return false }
    inbox.append(work)
    wake()
    return true
  }

  /// Ends the session and waits for the thread to finish.
  func close() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      lock.lock()
      if exited {
        lock.unlock()
        continuation.resume()
        return
      }
      closeWaiters.append(continuation)
      stopping = true
      wake()
      lock.unlock()
    }
  }

  var closedError: ProbeError { .connection("SSH connection to \(endpoint.displayName) is closed") }

  /// Work posted since the loop last took its inbox, or a stop.
  func hasWork() -> Bool {
    lock.withLock { !inbox.isEmpty || stopping }
  }

  func wake() {
    var byte: UInt8 = 1
    _ = write(wakeWrite, &byte, 1)
  }

  // MARK: - Thread

  func threadMain(connected: (Result<Void, ProbeError>) -> Void) {
    let result = connect()
    if case .failure(let error) = result { failure = error }
    connected(result)
    if failure == nil { loop() }
    shutDown()
  }

  func loop() {
    while true {
      lock.lock()
      let work = inbox
      inbox = []
      let stop = stopping
      lock.unlock()
      var byte: UInt8 = 0
      while read(wakeRead, &byte, 1) > 0 {}
      for item in work { item() }
      if stop { return }

      for operation in operations where operation.state == .running { operation.onTick() }
      var progressed = true
      // New work (a close, a cancel, more input) is taken between passes, not after the channels
      // fall quiet: a stream whose far side never stops sending would keep them busy for ever.
      while progressed && failure == nil && !hasWork() {
        progressed = false
        for operation in operations where step(operation) { progressed = true }
        operations.removeAll { $0.state == .done }
      }
      if checkDeadlines() { continue }

      var timeout = 1000
      let now = ContinuousClock.now
      for operation in operations {
        for instant in [operation.deadline, operation.retryOpenAt, operation.wakeAt].compactMap({ $0 }) {
          timeout = min(timeout, milliseconds(from: now, to: instant))
        }
      }
      // Reading one channel can pull another channel's packets off the socket; look again soon.
      if operations.filter({ $0.channel != nil }).count > 1 { timeout = min(timeout, 20) }
      var descriptors = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
      // Channels paused for a slow reader do not make the socket worth watching: its data would
      // wake the loop at once, again and again, and nothing would read it.
      let watching = operations.contains { $0.state != .running || !$0.isPaused() }
      if failure == nil, let session, watching {
        descriptors.append(
          pollfd(fd: socketDescriptor, events: events(for: session, reading: true), revents: 0))
      }
      _ = poll(&descriptors, nfds_t(descriptors.count), Int32(max(0, timeout)))
    }
  }

  /// Fails operations whose deadline passed; true when something changed.
  func checkDeadlines() -> Bool {
    let now = ContinuousClock.now
    var changed = false
    for operation in operations {
      guard let deadline = operation.deadline, deadline <= now, operation.state != .done else { continue }
      if operation.outcome != nil {
        // Its channel did not even close in time: the connection is as good as gone.
        sessionFailed("\(endpoint.displayName) stopped answering")
        return true
      }
      operation.outcome = operation.deadlineError
      operation.deadline = now + .seconds(5)
      changed = true
    }
    return changed
  }

  func shutDown() {
    let error = failure ?? closedError
    for operation in operations { finish(operation, .failure(error)) }
    operations = []
    if let session {
      if failure == nil {
        libssh2_session_set_blocking(session, 1)
        _ = infraspec_libssh2_session_disconnect(session, "InfraSpec run finished")
      } else if socketDescriptor >= 0 {
        _ = shutdown(socketDescriptor, Int32(SHUT_RDWR))
      }
      _ = libssh2_session_free(session)
      self.session = nil
    }
    if socketDescriptor >= 0 { _ = Glibc.close(socketDescriptor) }
    socketDescriptor = -1
    lock.lock()
    exited = true
    let waiters = closeWaiters
    closeWaiters = []
    let leftover = inbox
    inbox = []
    lock.unlock()
    for item in leftover { item() }
    _ = Glibc.close(wakeRead)
    _ = Glibc.close(wakeWrite)
    for waiter in waiters { waiter.resume() }
  }

  /// Channel-level codes leave the session usable; anything else means the connection is gone.
  func isSessionFatal(_ code: Int32) -> Bool {
    !(LIBSSH2_ERROR_CHANNEL_EOF_SENT...LIBSSH2_ERROR_CHANNEL_OUTOFORDER).contains(code)
      && code != LIBSSH2_ERROR_EAGAIN
  }

  func lastErrorMessage() -> String {
    guard let session else { return "no session" }
    var message: UnsafeMutablePointer<CChar>?
    var length: Int32 = 0
    let code = libssh2_session_last_error(session, &message, &length, 0)
    let text = message.map { String(cString: $0) } ?? ""
    return text.isEmpty ? "libssh2 error \(code)" : "\(text) (libssh2 error \(code))"
  }

  func events(for session: OpaquePointer, reading: Bool) -> Int16 {
    let directions = libssh2_session_block_directions(session)
    var events: Int16 = reading ? Int16(POLLIN) : 0
    if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
    if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
    return events
  }

  func milliseconds(from now: ContinuousClock.Instant, to instant: ContinuousClock.Instant) -> Int {
    let components = (instant - now).components
    return max(0, Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000) + 1)
  }
}
