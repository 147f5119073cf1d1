@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import CLibSSH2
internal import Dispatch
internal import FoundationEssentials

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
  private static let libraryStatus: Int32 = libssh2_init(0)

  let endpoint: SSHEndpoint
  private let lock = ThreadLock()
  private var inbox: [() -> Void] = []
  private var stopping = false
  private var exited = false
  private var closeWaiters: [CheckedContinuation<Void, Never>] = []
  private let wakeRead: Int32
  private let wakeWrite: Int32

  private var session: OpaquePointer?
  private var socketDescriptor: Int32 = -1
  private var operations: [SSHChannelOperation] = []
  private var openOwner: SSHChannelOperation?
  private var channelsInUse = 0
  private var sessionChannelsOpened = 0
  private var failure: ProbeError?
  private var buffer = [CChar](repeating: 0, count: 65_536)
  private(set) var warnings: [String] = []

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

  private func wake() {
    var byte: UInt8 = 1
    _ = write(wakeWrite, &byte, 1)
  }

  // MARK: - Thread

  private func threadMain(connected: (Result<Void, ProbeError>) -> Void) {
    let result = connect()
    if case .failure(let error) = result { failure = error }
    connected(result)
    if failure == nil { loop() }
    shutDown()
  }

  private func loop() {
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
      while progressed && failure == nil {
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
      if failure == nil, let session, !operations.isEmpty {
        descriptors.append(
          pollfd(fd: socketDescriptor, events: events(for: session, reading: true), revents: 0))
      }
      _ = poll(&descriptors, nfds_t(descriptors.count), Int32(max(0, timeout)))
    }
  }

  /// Fails operations whose deadline passed; true when something changed.
  private func checkDeadlines() -> Bool {
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

  private func shutDown() {
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

  // MARK: - Channels

  private func step(_ operation: SSHChannelOperation) -> Bool {
    guard let session else { return false }
    switch operation.state {
    case .waitingToOpen:
      if let outcome = operation.outcome {
        finish(operation, .failure(outcome))
        return true
      }
      guard openOwner == nil, channelsInUse < Self.maximumChannels else { return false }
      if let retry = operation.retryOpenAt, retry > .now { return false }
      openOwner = operation
      operation.state = .opening
      operation.openAttempts += 1
      if let openTimeout = operation.openTimeout, operation.openAttempts == 1 {
        operation.deadline = .now + openTimeout
      }
      return stepOpen(operation, session)
    case .opening:
      return stepOpen(operation, session)
    case .starting:
      guard case .exec(let command) = operation.kind, let channel = operation.channel else { return false }
      let status = infraspec_libssh2_channel_exec(channel, command)
      if status == LIBSSH2_ERROR_EAGAIN { return false }
      if status < 0 { return channelError(operation, status, "starting the remote shell") }
      operation.state = .running
      return true
    case .running:
      return stepRunning(operation)
    case .closing:
      guard let channel = operation.channel else { return false }
      let status = libssh2_channel_close(channel)
      if status == LIBSSH2_ERROR_EAGAIN { return false }
      if status < 0 && isSessionFatal(status) {
        sessionFailed(lostMessage(while: "closing a channel"))
        return true
      }
      operation.state = status < 0 ? .freeing : .waitingClosed
      return true
    case .waitingClosed:
      guard let channel = operation.channel else { return false }
      let status = libssh2_channel_wait_closed(channel)
      if status == LIBSSH2_ERROR_EAGAIN { return false }
      operation.state = .freeing
      return true
    case .freeing:
      guard let channel = operation.channel else { return false }
      let exitStatus = libssh2_channel_get_exit_status(channel)
      let status = libssh2_channel_free(channel)
      if status == LIBSSH2_ERROR_EAGAIN { return false }
      operation.channel = nil
      channelsInUse -= 1
      // A channel slot is free again: whoever waited for one may try now.
      for waiting in operations where waiting.state == .waitingToOpen { waiting.retryOpenAt = nil }
      finish(operation, operation.outcome.map { .failure($0) } ?? .success(exitStatus))
      return true
    case .done:
      return false
    }
  }

  private func stepOpen(_ operation: SSHChannelOperation, _ session: OpaquePointer) -> Bool {
    let channel: OpaquePointer?
    switch operation.kind {
    case .exec: channel = infraspec_libssh2_channel_open_session(session)
    case .directTCPIP(let host, let port):
      channel = infraspec_libssh2_channel_direct_tcpip(session, host, Int32(port))
    }
    if let channel {
      openOwner = nil
      operation.channel = channel
      channelsInUse += 1
      if operation.isExec { sessionChannelsOpened += 1 }
      if operation.outcome != nil {
        operation.state = .closing
      } else if operation.isExec {
        operation.state = .starting
      } else {
        operation.state = .running
        operation.onOpen(.success(()))
      }
      return true
    }
    let code = libssh2_session_last_errno(session)
    if code == LIBSSH2_ERROR_EAGAIN { return false }
    openOwner = nil
    if code == LIBSSH2_ERROR_CHANNEL_FAILURE, operation.isExec, operation.outcome == nil {
      // The server's MaxSessions is reached: back-pressure, not an error. Retry when one of our
      // channels closes. If no session channel ever opened on this connection, a few quick
      // refusals mean none will (MaxSessions 0): say so at once instead of retrying for long.
      // Once one has opened, the server may just not have freed a closed one yet.
      let refusals = sessionChannelsOpened == 0 ? Self.refusalsWithNoChannelOpen : 100
      if channelsInUse == 0 && operation.openAttempts >= refusals {
        finish(
          operation,
          .failure(
            .connection("\(endpoint.displayName) refuses to open any session channel (sshd MaxSessions 0?)")))
        return true
      }
      operation.state = .waitingToOpen
      operation.retryOpenAt = .now + .milliseconds(20 * min(operation.openAttempts, 10))
      return true
    }
    if isSessionFatal(code) {
      sessionFailed(lostMessage(while: "opening a channel"))
      return true
    }
    let detail: String
    if case .directTCPIP(let host, let port) = operation.kind {
      detail =
        "\(endpoint.displayName) could not open a TCP connection to \(host):\(port) for InfraSpec (\(lastErrorMessage())); AllowTcpForwarding may be off"
    } else {
      detail = "\(endpoint.displayName) refused a session channel: \(lastErrorMessage())"
    }
    operation.onOpen(.failure(.connection(detail)))
    finish(operation, .failure(operation.outcome ?? .connection(detail)))
    return true
  }

  private func stepRunning(_ operation: SSHChannelOperation) -> Bool {
    guard let channel = operation.channel else { return false }
    if operation.outcome != nil {
      operation.state = .closing
      return true
    }
    var progressed = false
    while operation.inputOffset < operation.input.count {
      let written = operation.input.withUnsafeBufferPointer { bytes in
        bytes.baseAddress!.advanced(by: operation.inputOffset).withMemoryRebound(to: CChar.self, capacity: 1)
        {
          infraspec_libssh2_channel_write(channel, $0, operation.input.count - operation.inputOffset)
        }
      }
      if written == LIBSSH2_ERROR_EAGAIN { break }
      if written < 0 { return channelError(operation, Int32(written), "sending data") }
      operation.inputOffset += written
      progressed = true
    }
    if operation.isExec && !operation.keepsInputOpen && !operation.eofSent
      && operation.inputOffset == operation.input.count
    {
      let status = libssh2_channel_send_eof(channel)
      if status == 0 {
        operation.eofSent = true
        operation.input = []
        operation.inputOffset = 0
        progressed = true
      } else if status != LIBSSH2_ERROR_EAGAIN {
        return channelError(operation, status, "closing the remote shell's input")
      }
    }
    var ended = [false, false]
    for stream in 0..<2 {
      while true {
        let count = buffer.withUnsafeMutableBufferPointer { bytes in
          stream == 0
            ? infraspec_libssh2_channel_read(channel, bytes.baseAddress, bytes.count)
            : infraspec_libssh2_channel_read_stderr(channel, bytes.baseAddress, bytes.count)
        }
        if count > 0 {
          let bytes = buffer.withUnsafeBytes { Array($0.prefix(count)) }
          if stream == 0 { operation.onStdout(bytes) } else { operation.onStderr(bytes) }
          progressed = true
          continue
        }
        if count == 0 {
          ended[stream] = libssh2_channel_eof(channel) != 0
        } else if count != LIBSSH2_ERROR_EAGAIN {
          return channelError(operation, Int32(count), "reading output")
        }
        break
      }
    }
    if ended[0] && ended[1] || operation.outcome != nil || operation.isSatisfied {
      operation.state = .closing
      return true
    }
    return progressed
  }

  private func channelError(_ operation: SSHChannelOperation, _ code: Int32, _ what: String) -> Bool {
    if isSessionFatal(code) {
      sessionFailed(lostMessage(while: what))
      return true
    }
    operation.outcome =
      operation.outcome
      ?? .connection("SSH channel to \(endpoint.displayName) failed while \(what): \(lastErrorMessage())")
    operation.state = .closing
    return true
  }

  private func finish(_ operation: SSHChannelOperation, _ result: Result<Int32, ProbeError>) {
    guard operation.state != .done else { return }
    operation.state = .done
    if openOwner === operation { openOwner = nil }
    operation.onFinish(result)
    operation.onOpen = { _ in }
    operation.onStdout = { _ in }
    operation.onStderr = { _ in }
    operation.onFinish = { _ in }
  }

  private func sessionFailed(_ message: String) {
    let error = ProbeError.connection(message)
    failure = error
    for operation in operations {
      if operation.state == .opening || operation.state == .waitingToOpen {
        operation.onOpen(.failure(error))
      }
      finish(operation, .failure(error))
    }
    operations = []
  }

  /// Channel-level codes leave the session usable; anything else means the connection is gone.
  private func isSessionFatal(_ code: Int32) -> Bool {
    !(LIBSSH2_ERROR_CHANNEL_EOF_SENT...LIBSSH2_ERROR_CHANNEL_OUTOFORDER).contains(code)
      && code != LIBSSH2_ERROR_EAGAIN
  }

  private func lostMessage(while what: String) -> String {
    "connection to \(endpoint.displayName) lost while \(what): \(lastErrorMessage())"
  }

  func lastErrorMessage() -> String {
    guard let session else { return "no session" }
    var message: UnsafeMutablePointer<CChar>?
    var length: Int32 = 0
    let code = libssh2_session_last_error(session, &message, &length, 0)
    let text = message.map { String(cString: $0) } ?? ""
    return text.isEmpty ? "libssh2 error \(code)" : "\(text) (libssh2 error \(code))"
  }

  private func events(for session: OpaquePointer, reading: Bool) -> Int16 {
    let directions = libssh2_session_block_directions(session)
    var events: Int16 = reading ? Int16(POLLIN) : 0
    if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
    if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
    return events
  }

  private func milliseconds(from now: ContinuousClock.Instant, to instant: ContinuousClock.Instant) -> Int {
    let components = (instant - now).components
    return max(0, Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000) + 1)
  }

  // MARK: - Connecting

  private func connect() -> Result<Void, ProbeError> {
    do throws(ProbeError) {
      let name = endpoint.displayName
      guard Self.libraryStatus == 0 else { throw .connection("libssh2 failed to initialise") }
      if let jump = endpoint.proxyJump {
        throw .connection(
          "\(name): ProxyJump \(jump) from the SSH config cannot be honoured by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)"
        )
      }
      if endpoint.proxyCommand != nil {
        throw .connection(
          "\(name): ProxyCommand from the SSH config cannot be honoured by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)"
        )
      }
      warnings = endpoint.warnings
      socketDescriptor = try openSocket(deadline: .now + endpoint.connectTimeout)
      guard let session = infraspec_libssh2_session_init() else {
        throw .connection("libssh2 could not create a session")
      }
      self.session = session
      libssh2_session_set_blocking(session, 0)
      let knownHosts = KnownHosts(paths: endpoint.knownHostsFiles)
      warnings += knownHosts.issues
      let keyTypes = knownHosts.preferredKeyTypes(for: endpoint.knownHostsName)
      _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, keyTypes.joined(separator: ","))

      var deadline = ContinuousClock.now + endpoint.connectTimeout
      let status = try retry(deadline, "the SSH key exchange") {
        libssh2_session_handshake(session, socketDescriptor)
      }
      if status != 0 { throw handshakeError(status, keyTypes: keyTypes) }
      try verifyHostKey(session, knownHosts)
      deadline = .now + endpoint.connectTimeout
      let wait: () throws(ProbeError) -> Void = { [self] () throws(ProbeError) in
        try self.wait(deadline, "authentication")
      }
      try SSHAuthenticator(session: session, endpoint: endpoint, wait: wait).authenticate()
      return .success(())
    } catch {
      return .failure(error)
    }
  }

  private func handshakeError(_ status: Int32, keyTypes: [String]) -> ProbeError {
    let name = endpoint.displayName
    let detail = lastErrorMessage()
    if status == LIBSSH2_ERROR_KEX_FAILURE || status == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED {
      if keyTypes == ["ssh-rsa"] {
        return .connection(
          "\(name) is known only by an RSA host key, and libssh2 1.10 cannot verify rsa-sha2-256/512 host keys: use the OpenSSH client (--ssh-client openssh)"
        )
      }
      return .connection(
        "key exchange with \(name) failed (\(detail)): it offers none of the host key types \(keyTypes.joined(separator: ", ")). libssh2 1.10 cannot use RSA host keys (no rsa-sha2-256/512); for an RSA-only host use the OpenSSH client (--ssh-client openssh)"
      )
    }
    return .connection("SSH handshake with \(name) failed: \(detail)")
  }

  private func verifyHostKey(_ session: OpaquePointer, _ knownHosts: KnownHosts) throws(ProbeError) {
    var length = 0
    var type: Int32 = 0
    guard let raw = libssh2_session_hostkey(session, &length, &type) else {
      throw .connection("\(endpoint.displayName) sent no host key")
    }
    let key = raw.withMemoryRebound(to: UInt8.self, capacity: length) {
      Array(UnsafeBufferPointer(start: $0, count: length))
    }
    let keyType = KnownHosts.keyType(ofBlob: key) ?? "unknown"
    let name = endpoint.knownHostsName
    let fingerprint = KnownHosts.fingerprint(key)
    switch knownHosts.verify(name: name, keyType: keyType, key: key) {
    case .trusted:
      return
    case .revoked(let entry):
      throw .connection(KnownHosts.revokedMessage(name: name, entry: entry, fingerprint: fingerprint))
    case .changed(let entry):
      throw .connection(KnownHosts.changedMessage(name: name, entry: entry, fingerprint: fingerprint))
    case .unknown:
      let line = KnownHosts.line(name: name, keyType: keyType, key: key)
      if endpoint.hostKeyPolicy == .acceptNew {
        try KnownHosts.append(line, to: endpoint.knownHostsFileForNewKeys)
        warnings.append(
          "added the host key of \(name) (\(keyType) \(fingerprint)) to \(endpoint.knownHostsFileForNewKeys)")
        return
      }
      var message =
        "host key of \(name) is not known: \(keyType) \(fingerprint). Verify the fingerprint, then add this line to \(endpoint.knownHostsFileForNewKeys):\n\(line)\nor trust it on first use (acceptNewHostKeys, StrictHostKeyChecking accept-new)"
      if let authority = knownHosts.certificateAuthority(for: name) {
        message +=
          "\n\(authority.location): @cert-authority host certificates are not supported by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)"
      }
      for issue in knownHosts.issues { message += "\n\(issue)" }
      throw .connection(message)
    }
  }

  /// Calls `body` until libssh2 stops saying EAGAIN, waiting for the socket in between.
  private func retry(_ deadline: ContinuousClock.Instant, _ what: String, _ body: () -> Int32)
    throws(ProbeError) -> Int32
  {
    while true {
      let status = body()
      if status != LIBSSH2_ERROR_EAGAIN { return status }
      try wait(deadline, what)
    }
  }

  private func wait(_ deadline: ContinuousClock.Instant, _ what: String) throws(ProbeError) {
    guard let session else { return }
    let now = ContinuousClock.now
    if now >= deadline {
      throw .connection(
        "timed out after \(endpoint.connectTimeout.formatted) waiting for \(what) with \(endpoint.displayName)"
      )
    }
    var descriptor = pollfd(fd: socketDescriptor, events: events(for: session, reading: false), revents: 0)
    if descriptor.events == 0 { descriptor.events = Int16(POLLIN) }
    _ = poll(&descriptor, 1, Int32(milliseconds(from: now, to: deadline)))
  }

  /// Name resolution within the connect timeout: `getaddrinfo` cannot be interrupted, so it runs
  /// on a thread of its own that is abandoned (and frees its answer itself) when time is up.
  static func resolve(
    _ host: String, port: UInt16, deadline: ContinuousClock.Instant, timeout: Duration,
    lookup: @escaping @Sendable (String, String) -> (Int32, UnsafeMutablePointer<addrinfo>?) = systemLookup
  ) throws(ProbeError) -> UnsafeMutablePointer<addrinfo> {
    final class Lookup: @unchecked Sendable {
      let lock = ThreadLock()
      let done = DispatchSemaphore(value: 0)
      var status: Int32 = 0
      var list: UnsafeMutablePointer<addrinfo>?
      var abandoned = false
    }
    let answer = Lookup()
    let thread = PlainThread {
      let (status, list) = lookup(host, String(port))
      answer.lock.lock()
      if answer.abandoned {
        if let list { freeaddrinfo(list) }
      } else {
        answer.status = status
        answer.list = list
      }
      answer.lock.unlock()
      answer.done.signal()
    }
    thread.start()
    let remaining = max(.zero, deadline - .now).components
    let nanoseconds = Int(remaining.seconds) * 1_000_000_000 + Int(remaining.attoseconds / 1_000_000_000)
    let finished = answer.done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success
    answer.lock.lock()
    defer { answer.lock.unlock() }
    guard finished else {
      answer.abandoned = true
      if let list = answer.list { freeaddrinfo(list) }
      throw .connection("cannot resolve \(host): no answer within \(timeout.formatted)")
    }
    guard answer.status == 0, let list = answer.list else {
      throw .connection("cannot resolve \(host): \(String(cString: gai_strerror(answer.status)))")
    }
    return list
  }

  /// `getaddrinfo` for a TCP connection to `host:port`.
  @Sendable static func systemLookup(_ host: String, _ port: String) -> (
    Int32, UnsafeMutablePointer<addrinfo>?
  ) {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, port, &hints, &list)
    return (status, list)
  }

  private func openSocket(deadline: ContinuousClock.Instant) throws(ProbeError) -> Int32 {
    let name =
      "\(endpoint.address.contains(":") ? "[\(endpoint.address)]" : endpoint.address):\(endpoint.port)"
    let list = try Self.resolve(
      endpoint.address, port: endpoint.port, deadline: deadline, timeout: endpoint.connectTimeout)
    defer { freeaddrinfo(list) }
    var problem = "no address"
    var entry: UnsafeMutablePointer<addrinfo>? = list
    while let current = entry {
      entry = current.pointee.ai_next
      let descriptor = socket(
        current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
      guard descriptor >= 0 else { continue }
      _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
      _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
      var one: Int32 = 1
      _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
      if Glibc.connect(descriptor, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 {
        return descriptor
      }
      if errno == EINPROGRESS {
        var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let now = ContinuousClock.now
        if now < deadline && poll(&pollDescriptor, 1, Int32(milliseconds(from: now, to: deadline))) == 1 {
          var error: Int32 = 0
          var length = socklen_t(MemoryLayout<Int32>.size)
          _ = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
          if error == 0 { return descriptor }
          problem = String(cString: strerror(error))
        } else {
          problem = "timed out after \(endpoint.connectTimeout.formatted)"
        }
      } else {
        problem = String(cString: strerror(errno))
      }
      _ = Glibc.close(descriptor)
    }
    throw .connection("cannot connect to \(name): \(problem)")
  }
}
