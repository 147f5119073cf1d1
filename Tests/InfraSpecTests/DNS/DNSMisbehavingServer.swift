import Foundation
import Glibc
import Synchronization

/// A UDP responder that answers every query wrongly on purpose (no real server sends wrong IDs or garbage).
final class DNSMisbehavingServer: Sendable {
  let port: UInt16
  private let descriptor: Int32
  private let state = State()

  private final class State: Sendable {
    let stopped = Mutex(false)
    let finished = Mutex(false)
  }

  init(reply: @escaping @Sendable ([UInt8]) -> [UInt8]?) throws {
    let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    self.descriptor = descriptor
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard descriptor >= 0, bound == 0 else { throw POSIXError(.EADDRINUSE) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    port = UInt16(bigEndian: address.sin_port)
    let state = state
    let thread = Thread {
      var buffer = [UInt8](repeating: 0, count: 4096)
      while !state.stopped.withLock({ $0 }) {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 50) > 0 else { continue }
        var peer = sockaddr_storage()
        var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = withUnsafeMutablePointer(to: &peer) { peerPointer in
          peerPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
            buffer.withUnsafeMutableBytes {
              recvfrom(descriptor, $0.baseAddress, $0.count, 0, address, &peerLength)
            }
          }
        }
        guard count > 0, let answer = reply(Array(buffer[0..<count])) else { continue }
        _ = withUnsafePointer(to: &peer) { peerPointer in
          peerPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
            answer.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, address, peerLength) }
          }
        }
      }
      state.finished.withLock { $0 = true }
    }
    thread.start()
  }

  func stop() {
    state.stopped.withLock { $0 = true }
    while !state.finished.withLock({ $0 }) { usleep(1000) }
    close(descriptor)
  }
}
