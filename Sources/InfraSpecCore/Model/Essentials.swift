internal import FoundationEssentials
internal import Glibc

// The few full-Foundation conveniences InfraSpec used, on FoundationEssentials and libc alone:
// a spec binary that links no Foundation carries no ICU data (34 MiB) and starts faster.

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

extension String {
  /// The path without its last component, as `NSString.deletingLastPathComponent` gives it:
  /// `/a/b` → `/a`, `/a` → `/`, `a` → ``, trailing slashes ignored.
  package var parentPath: String {
    var path = Substring(self)
    while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
    guard let slash = path.lastIndex(of: "/") else { return "" }
    if slash == path.startIndex { return "/" }
    var parent = path[..<slash]
    while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
    return String(parent)
  }

  /// The last component of the path, as `NSString.lastPathComponent` gives it: `/a/b/` → `b`.
  package var lastPathPart: String {
    var path = Substring(self)
    while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
    guard let slash = path.lastIndex(of: "/"), path.count > 1 else { return String(path) }
    return String(path[path.index(after: slash)...])
  }
}

extension StringProtocol {
  /// The text without leading and trailing characters in `characters`.
  package func trimming(_ characters: Set<Character>) -> String {
    var view = Substring(self)
    while let first = view.first, characters.contains(first) { view = view.dropFirst() }
    while let last = view.last, characters.contains(last) { view = view.dropLast() }
    return String(view)
  }
}

/// What went wrong, in words, for messages (what `localizedDescription` was used for): a file
/// error names its system cause (`Permission denied`), anything else describes itself.
package func reason(of error: any Error) -> String {
  if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
  if let cocoa = error as? CocoaError {
    if let posix = cocoa.underlying as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    switch cocoa.code {
    case .fileNoSuchFile, .fileReadNoSuchFile: return String(cString: strerror(ENOENT))
    case .fileReadNoPermission, .fileWriteNoPermission: return String(cString: strerror(EACCES))
    case .fileWriteFileExists: return String(cString: strerror(EEXIST))
    case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
    case .fileReadInapplicableStringEncoding, .fileReadCorruptFile:
      return "not valid text in the expected encoding"
    default: break
    }
  }
  return String(describing: error)
}

/// `$HOME`, else the password database's home of this user (what `NSHomeDirectory()` gives).
package func homeDirectory() -> String {
  if let home = getenv("HOME"), home.pointee != 0 { return String(cString: home) }
  guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return "/" }
  return String(cString: directory)
}

/// The login name of this user from the password database (what `NSUserName()` gives).
package func currentUserName() -> String {
  guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "\(getuid())" }
  return String(cString: name)
}

/// `$TMPDIR` ending in `/`, else `/tmp/` (what `NSTemporaryDirectory()` gives).
package func temporaryDirectory() -> String {
  guard let folder = getenv("TMPDIR"), folder.pointee != 0 else { return "/tmp/" }
  let text = String(cString: folder)
  return text.hasSuffix("/") ? text : text + "/"
}
