internal import Glibc

// Threads and locks on POSIX, for the layers above the core (what Foundation's `Thread` and
// `NSLock` were used for): a spec binary that links no Foundation carries no ICU data.

/// A mutex for short critical sections between plain threads (what `NSLock` was used for).
package final class ThreadLock: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

  package init() { pthread_mutex_init(mutex, nil) }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  package func lock() { pthread_mutex_lock(mutex) }
  package func unlock() { pthread_mutex_unlock(mutex) }

  package func withLock<T>(_ body: () throws -> T) rethrows -> T {
    lock()
    defer { unlock() }
    return try body()
  }
}

/// A detached POSIX thread running one closure (what `Foundation.Thread` was used for): blocking
/// work such as `poll()` or libssh2 must not occupy a thread of Swift's cooperative pool.
package final class PlainThread: @unchecked Sendable {
  private let body: @Sendable () -> Void
  /// The stack size in bytes; 0 keeps the system default.
  package var stackSize = 0

  package init(_ body: @escaping @Sendable () -> Void) { self.body = body }

  package func start() {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    if stackSize > 0 { pthread_attr_setstacksize(&attributes, stackSize) }
    let context = Unmanaged.passRetained(self).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(
      &thread, &attributes,
      { context in
        let plain = Unmanaged<PlainThread>.fromOpaque(context!).takeRetainedValue()
        plain.body()
        return nil
      }, context)
    // Out of threads: as Foundation.Thread does, there is nothing sensible to continue with.
    precondition(status == 0, "pthread_create: \(String(cString: strerror(status)))")
  }
}
