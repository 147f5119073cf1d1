#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Musl)
  internal import Musl
#endif

/// Unbuffered writes to stdout or stderr, so results stream as they arrive even into a pipe.
public struct OutputStream: Sendable {
  let descriptor: Int32

  public static let standardOutput = OutputStream(descriptor: 1)
  public static let standardError = OutputStream(descriptor: 2)

  /// Writes all of `text`; a closed pipe (the reader went away) is not an error worth a crash.
  public func write(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 {
        if errno == EINTR { continue }
        return
      }
      bytes = bytes.dropFirst(written)
    }
  }

  /// Whether a person is probably reading: the stream is a terminal.
  public var isTerminal: Bool { isatty(descriptor) == 1 }
}
