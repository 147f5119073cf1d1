@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecSockets
import Glibc

/// Blocking POSIX socket exchanges bounded by `poll()` deadlines; callers run them off the cooperative pool.
enum DNSSocket {
  /// A parsed IPv4 or IPv6 server address.
  struct Address {
    var storage = sockaddr_storage()
    var length: socklen_t
    var family: Int32

    init(server: String, port: UInt16) throws(DNSClientError) {
      var v4 = sockaddr_in()
      var v6 = sockaddr_in6()
      if inet_pton(AF_INET, server, &v4.sin_addr) == 1 {
        v4.sin_family = sa_family_t(AF_INET)
        v4.sin_port = port.bigEndian
        family = AF_INET
        length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutableBytes(of: &storage) { target in
          withUnsafeBytes(of: v4) { target.copyMemory(from: $0) }
        }
      } else if inet_pton(AF_INET6, server, &v6.sin6_addr) == 1 {
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = port.bigEndian
        family = AF_INET6
        length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        withUnsafeMutableBytes(of: &storage) { target in
          withUnsafeBytes(of: v6) { target.copyMemory(from: $0) }
        }
      } else {
        throw DNSClientError(
          code: .badServerAddress, server: server, port: port,
          detail: "'\(server)' is not an IPv4 or IPv6 address (give the server as an address, not a name)")
      }
    }
  }

  static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
    let left = deadline - ContinuousClock.now
    if left <= .zero { return 0 }
    let (seconds, attoseconds) = left.components
    return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
  }

  private static func errorText(_ number: Int32) -> String {
    String(cString: strerror(number))
  }

  /// A socket of `type` connected to `address` through the shared dialler (`TCPDialler`).
  private static func connect(
    _ address: Address, type: Int32, deadline: ContinuousClock.Instant, server: String, port: UInt16
  ) throws(DNSClientError) -> Int32 {
    var address = address
    let (length, family) = (address.length, address.family)
    let result: Result<Int32, TCPDialler.Failure> = withUnsafePointer(to: &address.storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        Result { () throws(TCPDialler.Failure) in
          try TCPDialler.connect(pointer, length: length, family: family, type: type, deadline: deadline)
        }
      }
    }
    switch result {
    case .success(let descriptor): return descriptor
    case .failure(.socket(let number)):
      throw DNSClientError(
        code: .socketFailed, server: server, port: port, detail: "socket(): \(errorText(number))")
    case .failure(.connect(let number)):
      throw DNSClientError(
        code: .connectionFailed, server: server, port: port, detail: "connect(): \(errorText(number))")
    case .failure(.timedOut), .failure(.resolveTimedOut), .failure(.resolve):
      throw DNSClientError(code: .timedOut, server: server, port: port, detail: "timed out connecting")
    }
  }

  private static func wait(
    _ descriptor: Int32, for events: Int16, deadline: ContinuousClock.Instant, server: String, port: UInt16,
    what: String
  ) throws(DNSClientError) {
    while true {
      var entry = pollfd(fd: descriptor, events: events, revents: 0)
      let timeout = milliseconds(until: deadline)
      let ready = poll(&entry, 1, timeout)
      if ready > 0 { return }
      if ready < 0, errno == EINTR { continue }
      if ready < 0 {
        throw DNSClientError(
          code: .socketFailed, server: server, port: port, detail: "poll(): \(errorText(errno))")
      }
      throw DNSClientError(code: .timedOut, server: server, port: port, detail: "timed out \(what)")
    }
  }

  /// Sends one datagram and returns the first reply `accept` takes; others (spoofed, stale) are dropped.
  static func udpExchange(
    _ query: [UInt8], server: String, port: UInt16, timeout: Duration,
    accept: ([UInt8]) -> Bool
  ) throws(DNSClientError) -> [UInt8] {
    let address = try Address(server: server, port: port)
    let deadline = ContinuousClock.now + timeout
    let descriptor = try connect(
      address, type: Int32(SOCK_DGRAM.rawValue), deadline: deadline, server: server, port: port)
    defer { close(descriptor) }
    let sent = query.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
    guard sent == query.count else {
      throw DNSClientError(
        code: .socketFailed, server: server, port: port, detail: "send(): \(errorText(errno))")
    }
    var buffer = [UInt8](repeating: 0, count: 65535)
    while true {
      try wait(
        descriptor, for: Int16(POLLIN), deadline: deadline, server: server, port: port,
        what: "waiting for a UDP reply")
      let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if received < 0 {
        if errno == EAGAIN || errno == EINTR { continue }
        throw DNSClientError(
          code: .connectionFailed, server: server, port: port, detail: "recv(): \(errorText(errno))")
      }
      let reply = Array(buffer[0..<received])
      if accept(reply) { return reply }
    }
  }

  /// Sends a length-prefixed query over a fresh TCP connection and returns the response without its prefix.
  static func tcpExchange(
    _ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration
  ) throws(DNSClientError) -> [UInt8] {
    try tcpMessages(framedQuery, server: server, port: port, timeout: timeout) { _ in true }.first ?? []
  }

  /// Like `tcpExchange`, but reads responses until `isLast` says one ended the stream (a zone
  /// transfer spans several messages); the deadline covers the whole stream.
  static func tcpMessages(
    _ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration, isLast: ([UInt8]) -> Bool
  ) throws(DNSClientError) -> [[UInt8]] {
    let address = try Address(server: server, port: port)
    let deadline = ContinuousClock.now + timeout
    let descriptor = try connect(
      address, type: Int32(SOCK_STREAM.rawValue), deadline: deadline, server: server, port: port)
    defer { close(descriptor) }
    var written = 0
    while written < framedQuery.count {
      try wait(
        descriptor, for: Int16(POLLOUT), deadline: deadline, server: server, port: port, what: "sending")
      let count = framedQuery[written...].withUnsafeBytes {
        send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if count < 0 {
        if errno == EAGAIN || errno == EINTR { continue }
        throw DNSClientError(
          code: .connectionFailed, server: server, port: port, detail: "send(): \(errorText(errno))")
      }
      written += count
    }
    var messages: [[UInt8]] = []
    while true {
      let prefix = try read(descriptor, count: 2, deadline: deadline, server: server, port: port)
      let length = Int(prefix[0]) << 8 | Int(prefix[1])
      let message = try read(descriptor, count: length, deadline: deadline, server: server, port: port)
      messages.append(message)
      if isLast(message) { return messages }
    }
  }

  private static func read(
    _ descriptor: Int32, count: Int, deadline: ContinuousClock.Instant, server: String, port: UInt16
  ) throws(DNSClientError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      try wait(
        descriptor, for: Int16(POLLIN), deadline: deadline, server: server, port: port,
        what: "reading a TCP reply")
      let received = buffer[filled...].withUnsafeMutableBytes {
        recv(descriptor, $0.baseAddress, $0.count, 0)
      }
      if received < 0 {
        if errno == EAGAIN || errno == EINTR { continue }
        throw DNSClientError(
          code: .connectionFailed, server: server, port: port, detail: "recv(): \(errorText(errno))")
      }
      if received == 0 {
        throw DNSClientError(
          code: .connectionClosed, server: server, port: port,
          detail: "connection closed after \(filled) of \(count) bytes")
      }
      filled += received
    }
    return buffer
  }
}
