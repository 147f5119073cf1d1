#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Musl)
  internal import Musl
#endif

extension OutputStream {
  /// A stream into the file at `path`, made (with its folders) or emptied at once, so a report that
  /// cannot be written stops the run before any check, and no stale report survives a crash.
  public static func file(atPath path: String) throws(ReportError) -> OutputStream {
    OutputStream(descriptor: try open(path, flags: O_TRUNC))
  }

  /// Adds `text` to the end of the file at `path` (made if missing) and closes it again.
  static func append(_ text: String, toFileAtPath path: String) throws(ReportError) {
    let descriptor = try open(path, flags: O_APPEND)
    defer { close(descriptor) }
    OutputStream(descriptor: descriptor).write(text)
  }

  private static func open(_ path: String, flags: Int32) throws(ReportError) -> Int32 {
    func failure(_ what: String) -> ReportError {
      ReportError(
        .cannotWrite, path: path, "cannot write report \(path): \(what)\(String(cString: strerror(errno)))")
    }
    if let slash = path.lastIndex(of: "/") {
      var folder = path.hasPrefix("/") ? "/" : ""
      for component in path[..<slash].split(separator: "/") {
        folder += component + "/"
        if mkdir(folder, 0o755) != 0 && errno != EEXIST { throw failure("cannot make folder \(folder): ") }
      }
    }
    let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0o644)
    guard descriptor >= 0 else { throw failure("") }
    return descriptor
  }
}
