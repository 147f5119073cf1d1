@_spi(Runner) internal import InfraSpecCore
#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Musl)
  internal import Musl
#endif
internal import Synchronization

/// Unbuffered writes to stdout, stderr or a report file, so results stream as they arrive even into
/// a pipe.
///
/// A write that fails (a full disk, `/dev/full`) is remembered, not ignored: `failures` lists them
/// so the run ends with its own exit code. A report file is written beside its destination and
/// renamed into place by `finish()`, so a half-written report never stands where a whole one should.
@_spi(Runner)
public struct OutputStream: Sendable {
  let descriptor: Int32
  /// Tells streams apart for `failures`; descriptors are reused once closed.
  let id: Int
  /// What messages call this stream: `standard output`, `report out/run.json`.
  let name: String
  /// For a report file: the temporary file being written, and where it goes once whole.
  let staging: (temporary: String, destination: String)?

  package init(
    descriptor: Int32, name: String? = nil, staging: (temporary: String, destination: String)? = nil
  ) {
    self.descriptor = descriptor
    id = Self.streams.add(1, ordering: .relaxed).newValue
    self.name = name ?? "file descriptor \(descriptor)"
    self.staging = staging
  }

  /// File descriptor 1.
  public static let standardOutput = OutputStream(descriptor: 1, name: "standard output")
  /// File descriptor 2.
  public static let standardError = OutputStream(descriptor: 2, name: "standard error")

  /// Write failures so far, by stream: one message each.
  private static let failed = Mutex<[Int: String]>([:])
  private static let streams = Atomic<Int>(0)

  /// Writes all of `text`; a closed pipe (the reader went away) is not an error worth a crash or a
  /// message, any other failure is remembered for `failures`.
  public func write(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 {
        if errno == EINTR { continue }
        if errno != EPIPE { record(String(cString: strerror(errno))) }
        return
      }
      bytes = bytes.dropFirst(written)
    }
  }

  /// Remembers that this stream did not get what it should have: `cannot write NAME: reason`.
  func record(_ reason: String) {
    let message = "cannot write \(name): \(reason)"
    Self.failed.withLock { failed in
      if failed[id] == nil { failed[id] = message }
    }
  }

  /// For a report file: moves the whole file into place. A file whose writes failed is removed
  /// instead, so the destination never holds a truncated report.
  public func finish() {
    guard let (temporary, destination) = staging else { return }
    if Self.failed.withLock({ $0[id] != nil }) {
      unlink(temporary)
      return
    }
    guard fsync(descriptor) == 0 else {
      record(String(cString: strerror(errno)))
      unlink(temporary)
      return
    }
    if rename(temporary, destination) != 0 {
      record(String(cString: strerror(errno)))
      unlink(temporary)
    }
  }

  /// Every write that failed, one message per stream: `cannot write report x.json: No space left…`.
  public static var failures: [String] {
    failed.withLock { $0.sorted { $0.key < $1.key }.map(\.value) }
  }

  /// Whether a person is probably reading: the stream is a terminal.
  public var isTerminal: Bool { isatty(descriptor) == 1 }
}
