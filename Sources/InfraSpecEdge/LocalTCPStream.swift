@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecSockets
internal import InfraSpecTransports
internal import Dispatch
internal import FoundationEssentials

#if canImport(Glibc)
  internal import Glibc
#endif

/// A non-blocking TCP socket from this machine; every wait is a `poll()` on a Dispatch thread so
/// it never parks a cooperative-pool thread.
final class LocalTCPStream: ByteStream, @unchecked Sendable {
  // Used by one exchange at a time (the TLS or HTTP client awaits each call), so no lock.
  private let descriptor: Int32
  private let name: String

  private init(descriptor: Int32, name: String) {
    self.descriptor = descriptor
    self.name = name
  }

  deinit { Glibc.close(descriptor) }

  static func connect(host: String, port: UInt16, deadline: ContinuousClock.Instant)
    async throws(ProbeError) -> LocalTCPStream
  {
    try await offload { () throws(ProbeError) in try open(host: host, port: port, deadline: deadline) }
  }

  func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(ProbeError) {
    let (descriptor, name) = (self.descriptor, self.name)
    try await Self.offload { () throws(ProbeError) in
      var written = 0
      while written < bytes.count {
        try Self.wait(descriptor, for: Int16(POLLOUT), deadline: deadline, what: "sending to \(name)")
        let count = bytes[written...].withUnsafeBytes {
          Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
        }
        if count < 0 {
          if errno == EAGAIN || errno == EINTR { continue }
          throw .other("\(name): send(): \(String(cString: strerror(errno)))")
        }
        written += count
      }
    }
  }

  func receive(atMost limit: Int, deadline: ContinuousClock.Instant) async throws(ProbeError) -> [UInt8] {
    let (descriptor, name) = (self.descriptor, self.name)
    return try await Self.offload { () throws(ProbeError) in
      var buffer = [UInt8](repeating: 0, count: limit)
      while true {
        try Self.wait(descriptor, for: Int16(POLLIN), deadline: deadline, what: "waiting for \(name)")
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
          if errno == EAGAIN || errno == EINTR { continue }
          throw .other("\(name): recv(): \(String(cString: strerror(errno)))")
        }
        return Array(buffer.prefix(count))
      }
    }
  }

  func close() { shutdown(descriptor, Int32(SHUT_RDWR)) }

  private static func open(host: String, port: UInt16, deadline: ContinuousClock.Instant)
    throws(ProbeError) -> LocalTCPStream
  {
    let name = "TCP \(host):\(port)"
    do {
      return LocalTCPStream(
        descriptor: try TCPDialler.dial(host: host, port: port, deadline: deadline), name: name)
    } catch {
      switch error {
      case .resolve(let message): throw .other("\(name): cannot resolve \(host): \(message)")
      case .resolveTimedOut: throw .other("\(name): cannot resolve \(host): no answer in time")
      case .timedOut: throw .other("timed out connecting to \(name)")
      case .socket: throw .other("\(name): \(error.detail)")
      case .connect: throw .other("\(name): connect(): \(error.detail)")
      }
    }
  }

  private static func wait(
    _ descriptor: Int32, for events: Int16, deadline: ContinuousClock.Instant, what: String
  )
    throws(ProbeError)
  {
    while true {
      var entry = pollfd(fd: descriptor, events: events, revents: 0)
      let ready = poll(&entry, 1, deadline.pollMilliseconds)
      if ready > 0 { return }
      if ready < 0, errno == EINTR { continue }
      if ready < 0 { throw .other("poll(): \(String(cString: strerror(errno)))") }
      throw .other("timed out \(what)")
    }
  }

  private static func offload<T: Sendable>(_ work: @escaping @Sendable () throws(ProbeError) -> T)
    async throws(ProbeError) -> T
  {
    let result: Result<T, ProbeError> = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(returning: Result { () throws(ProbeError) -> T in try work() })
      }
    }
    return try result.get()
  }
}
