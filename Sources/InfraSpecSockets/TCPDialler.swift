internal import Dispatch
internal import FoundationEssentials
internal import InfraSpecCore
internal import InfraSpecPlatform

#if canImport(Glibc)
  package import Glibc
#elseif canImport(Musl)
  package import Musl
#endif

/// The one TCP dialler: the SSH transport's connection, the edge's local TLS/HTTP streams and the
/// DNS client's TCP queries all connect here. Blocking (bounded by `poll()` and the deadline):
/// callers run it off the cooperative pool.
///
/// A socket it returns is non-blocking, close-on-exec and has Nagle off (small request/answer
/// exchanges).
package enum TCPDialler {
  /// Why a dial failed; each caller words it for its own errors.
  package enum Failure: Error, Equatable {
    /// No usable address: the resolver's own message, or that it did not answer in time.
    case resolve(String)
    /// `socket()` failed (errno).
    case socket(Int32)
    /// The connection was refused or failed (errno).
    case connect(Int32)
    /// The resolver did not answer by the deadline.
    case resolveTimedOut
    /// The deadline passed while connecting.
    case timedOut

    /// `connect(): …` / `timed out`, for messages that name the address themselves.
    package var detail: String {
      switch self {
      case .resolve(let message): message
      case .socket(let number): "socket(): \(String(cString: strerror(number)))"
      case .connect(let number): String(cString: strerror(number))
      case .resolveTimedOut: "no answer from the resolver"
      case .timedOut: "timed out"
      }
    }
  }

  /// A resolver: host and service in, `getaddrinfo`'s status and list out (tests inject a slow one).
  package typealias Lookup = @Sendable (String, String) -> (Int32, UnsafeMutablePointer<addrinfo>?)

  /// Resolves `host` and connects to the first address that answers by `deadline`; the last
  /// address's failure when none does.
  package static func dial(
    host: String, port: UInt16, deadline: ContinuousClock.Instant, lookup: @escaping Lookup = systemLookup
  ) throws(Failure) -> Int32 {
    let list = try resolve(host, port: port, deadline: deadline, lookup: lookup)
    defer { freeaddrinfo(list) }
    var problem = Failure.resolve("no address")
    var entry: UnsafeMutablePointer<addrinfo>? = list
    while let current = entry {
      entry = current.pointee.ai_next
      do {
        return try connect(
          current.pointee.ai_addr, length: current.pointee.ai_addrlen, family: current.pointee.ai_family,
          type: Int32(SOCK_STREAM.rawValue), deadline: deadline)
      } catch {
        problem = error
      }
    }
    throw problem
  }

  /// Opens a socket of `type` and connects it to `address` by `deadline` (a datagram socket
  /// connects at once: it only fixes the peer).
  package static func connect(
    _ address: UnsafePointer<sockaddr>, length: socklen_t, family: Int32, type: Int32,
    deadline: ContinuousClock.Instant
  ) throws(Failure) -> Int32 {
    let descriptor = socket(family, type | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard descriptor >= 0 else { throw .socket(errno) }
    if type == Int32(SOCK_STREAM.rawValue) {
      var one: Int32 = 1
      _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }
    if Glibc.connect(descriptor, address, length) == 0 { return descriptor }
    var problem = Failure.connect(errno)
    if errno == EINPROGRESS {
      problem = .timedOut
      while true {
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&entry, 1, deadline.pollMilliseconds)
        if ready < 0 && errno == EINTR { continue }
        if ready > 0 {
          var error: Int32 = 0
          var size = socklen_t(MemoryLayout<Int32>.size)
          _ = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &size)
          if error == 0 { return descriptor }
          problem = .connect(error)
        }
        break
      }
    }
    _ = Glibc.close(descriptor)
    throw problem
  }

  /// Name resolution by `deadline`: `getaddrinfo` cannot be interrupted, so it runs on a thread
  /// of its own that is abandoned (and frees its answer itself) when time is up.
  package static func resolve(
    _ host: String, port: UInt16, deadline: ContinuousClock.Instant, lookup: @escaping Lookup = systemLookup
  ) throws(Failure) -> UnsafeMutablePointer<addrinfo> {
    final class Answer: @unchecked Sendable {
      let lock = ThreadLock()
      let done = DispatchSemaphore(value: 0)
      var status: Int32 = 0
      var list: UnsafeMutablePointer<addrinfo>?
      var abandoned = false
    }
    let answer = Answer()
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
      throw .resolveTimedOut
    }
    guard answer.status == 0, let list = answer.list else {
      throw .resolve(String(cString: gai_strerror(answer.status)))
    }
    return list
  }

  /// `getaddrinfo` for a TCP connection to `host:port`, IPv4 and IPv6.
  @Sendable package static func systemLookup(_ host: String, _ port: String) -> (
    Int32, UnsafeMutablePointer<addrinfo>?
  ) {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, port, &hints, &list)
    return (status, list)
  }
}

extension ContinuousClock.Instant {
  /// Milliseconds left for `poll()`, at least 0.
  package var pollMilliseconds: Int32 {
    let left = self - .now
    if left <= .zero { return 0 }
    let (seconds, attoseconds) = left.components
    return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
  }
}
