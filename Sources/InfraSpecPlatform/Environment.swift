internal import FoundationEssentials
internal import Glibc

// The environment of this process and the words for a system error: what `NSHomeDirectory()`,
// `NSTemporaryDirectory()` and `localizedDescription` were used for.

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
