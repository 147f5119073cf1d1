@_spi(Runner) internal import InfraSpecCore
internal import FoundationEssentials
internal import Glibc
internal import InfraSpecPlatform

/// A value handed over once between threads, to whoever waits for it.
package final class ResultSlot<Value>: @unchecked Sendable {
  private let lock = ThreadLock()
  private var storage: Value?
  private var waiter: ((Value) -> Void)?

  package init() {}

  package func fill(_ newValue: Value) {
    lock.lock()
    guard storage == nil else {
      lock.unlock()
      return
    }
    storage = newValue
    let waiter = self.waiter
    self.waiter = nil
    lock.unlock()
    waiter?(newValue)
  }

  package var value: Value? {
    lock.lock()
    defer { lock.unlock() }
    return storage
  }

  package var isFilled: Bool { value != nil }

  package func onFill(_ body: @escaping (Value) -> Void) {
    lock.lock()
    if let storage {
      lock.unlock()
      body(storage)
      return
    }
    waiter = body
    lock.unlock()
  }
}
