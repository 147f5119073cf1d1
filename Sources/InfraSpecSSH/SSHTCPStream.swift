@_spi(Runner) public import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials
internal import Glibc
internal import InfraSpecPlatform

/// A TCP connection made by the SSH server on the host (`direct-tcpip`), e.g. DNS over TCP asked
/// from the host's point of view.
public final class SSHTCPStream: Sendable {
  private let connection: SSHConnection
  private let operation: SSHChannelOperation
  private let state: State
  private let name: String

  private init(connection: SSHConnection, operation: SSHChannelOperation, state: State, name: String) {
    self.connection = connection
    self.operation = operation
    self.state = state
    self.name = name
  }

  static func open(on connection: SSHConnection, host: String, port: UInt16, timeout: Duration)
    async throws(ProbeError) -> SSHTCPStream
  {
    let operation = SSHChannelOperation(.directTCPIP(host: host, port: port))
    let state = State()
    let name = "TCP \(host):\(port) via \(connection.endpoint.displayName)"
    let opened = ResultSlot<Result<Void, ProbeError>>()
    operation.openTimeout = timeout
    operation.deadlineError = .connection("timed out after \(timeout.formatted) opening \(name)")
    operation.onOpen = { [unowned operation] result in
      operation.deadline = nil
      opened.fill(result)
    }
    operation.onStdout = { state.append($0) }
    operation.isPaused = { state.isFull(limit: Self.bufferLimit) }
    // A receive that wants more, or took some, lets the connection read this channel again.
    state.wake = { connection.post {} }
    operation.onFinish = { result in
      let error: ProbeError? =
        switch result {
        case .failure(let error): error
        case .success: nil
        }
      opened.fill(.failure(error ?? .connection("\(name) closed before it opened")))
      state.end(error)
    }
    connection.submit(operation)
    let result = await withCheckedContinuation { continuation in
      opened.onFill { continuation.resume(returning: $0) }
    }
    try result.get()
    return SSHTCPStream(connection: connection, operation: operation, state: state, name: name)
  }

  /// Bytes received and not yet asked for above which the channel is no longer read.
  static let bufferLimit = 4 << 20

  /// Queues `bytes` for sending; errors of the stream show up at the next `receive`.
  public func send(_ bytes: [UInt8]) throws(ProbeError) {
    if let error = state.failure { throw error }
    let operation = self.operation
    guard connection.post({ operation.input += bytes }) else { throw connection.closedError }
  }

  /// Waits for exactly `count` bytes; throws if the stream ends first or `timeout` passes.
  public func receive(count: Int, timeout: Duration = .seconds(10)) async throws(ProbeError) -> [UInt8] {
    try await receive(count, partial: false, timeout: timeout)
  }

  /// Waits for at least one byte and returns up to `limit`; empty once the host has closed the
  /// stream, so a protocol client (TLS, HTTP) can read as bytes arrive.
  public func receive(upTo limit: Int, timeout: Duration = .seconds(10)) async throws(ProbeError) -> [UInt8] {
    try await receive(limit, partial: true, timeout: timeout)
  }

  /// Exactly `count` bytes, or with `partial` what is there up to `count`, by `timeout`.
  private func receive(_ count: Int, partial: Bool, timeout: Duration) async throws(ProbeError) -> [UInt8] {
    let id = UUID()
    let name = self.name
    let state = self.state
    let timer = Task {
      try await Task.sleep(for: timeout)
      state.expire(id, with: .timedOut(command: "receive from \(name)", after: timeout))
    }
    let result = await withCheckedContinuation { continuation in
      state.wait(id: id, count: count, partial: partial, name: name) { continuation.resume(returning: $0) }
    }
    timer.cancel()
    state.wake()
    return try result.get()
  }

  /// Closes the stream; the SSH connection stays open.
  public func close() {
    connection.cancel(operation, with: .connection("\(name) was closed"))
  }

  /// Bytes received but not yet asked for, and who waits for them.
  private final class State: @unchecked Sendable {
    private struct Waiter {
      var id: UUID
      var count: Int
      /// Take what is there (at most `count`), rather than exactly `count`.
      var partial = false
      var name: String
      var resume: (Result<[UInt8], ProbeError>) -> Void
    }

    private let lock = ThreadLock()
    private var buffer: [UInt8] = []
    private var ended = false
    private var error: ProbeError?
    private var waiters: [Waiter] = []

    /// Wakes the connection's loop (set once, before the stream is handed out).
    var wake: @Sendable () -> Void = {}

    /// At least `limit` bytes wait and no receive needs more than those: reading on would only
    /// pile up memory.
    func isFull(limit: Int) -> Bool {
      lock.withLock { buffer.count >= limit && waiters.allSatisfy { $0.partial || $0.count <= buffer.count } }
    }

    var failure: ProbeError? {
      lock.lock()
      defer { lock.unlock() }
      return error ?? (ended ? .connection("the TCP stream was closed by the host") : nil)
    }

    func append(_ bytes: [UInt8]) {
      lock.lock()
      buffer += bytes
      serve()
    }

    func end(_ failure: ProbeError?) {
      lock.lock()
      ended = true
      error = error ?? failure
      serve()
    }

    func wait(
      id: UUID, count: Int, partial: Bool = false, name: String,
      _ resume: @escaping (Result<[UInt8], ProbeError>) -> Void
    ) {
      lock.lock()
      waiters.append(Waiter(id: id, count: count, partial: partial, name: name, resume: resume))
      serve()
      wake()
    }

    func expire(_ id: UUID, with error: ProbeError) {
      lock.lock()
      guard let index = waiters.firstIndex(where: { $0.id == id }) else {
        lock.unlock()
        return
      }
      let waiter = waiters.remove(at: index)
      lock.unlock()
      waiter.resume(.failure(error))
    }

    /// Hands out what can be handed out; called with the lock held, releases it.
    private func serve() {
      var ready: [(Waiter, Result<[UInt8], ProbeError>)] = []
      while let waiter = waiters.first {
        if waiter.partial, !buffer.isEmpty || (ended && error == nil) {
          let taken = min(waiter.count, buffer.count)
          ready.append((waiter, .success(Array(buffer.prefix(taken)))))
          buffer.removeFirst(taken)
        } else if buffer.count >= waiter.count {
          ready.append((waiter, .success(Array(buffer.prefix(waiter.count)))))
          buffer.removeFirst(waiter.count)
        } else if ended {
          let why = error?.message ?? "closed by the host"
          ready.append(
            (
              waiter,
              .failure(
                .connection("\(waiter.name) ended after \(buffer.count) of \(waiter.count) bytes: \(why)"))
            ))
        } else {
          break
        }
        waiters.removeFirst()
      }
      lock.unlock()
      for (waiter, result) in ready { waiter.resume(result) }
    }
  }
}
