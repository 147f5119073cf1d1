@_spi(Runner) internal import InfraSpecCore
#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Musl)
  internal import Musl
#endif

extension OutputStream {
  /// A stream into the file at `path`, its folders made and a temporary file beside it created at
  /// once, so a report that cannot be written stops the run before any check. An earlier report at
  /// `path` is removed now, so no stale report survives a run that dies; `finish()` renames the
  /// whole new one into place. A path that is not a regular file (`/dev/stdout`, a FIFO,
  /// `/dev/full`) is written directly.
  public static func file(atPath path: String) throws(ReportError) -> OutputStream {
    try makeFolders(for: path)
    var status = stat()
    if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
      return OutputStream(descriptor: try open(path, flags: O_TRUNC), name: "report \(path)")
    }
    let temporary = "\(path).tmp-\(getpid())"
    let descriptor = try open(temporary, flags: O_TRUNC | O_EXCL, shownAs: path)
    unlink(path)
    return OutputStream(descriptor: descriptor, name: "report \(path)", staging: (temporary, path))
  }

  /// Adds `text` to the end of the file at `path` (made if missing) and closes it again.
  static func append(_ text: String, toFileAtPath path: String) throws(ReportError) {
    try makeFolders(for: path)
    let descriptor = try open(path, flags: O_APPEND)
    defer { close(descriptor) }
    let stream = OutputStream(descriptor: descriptor, name: "file \(path)")
    stream.write(text)
  }

  private static func failure(_ path: String, _ what: String) -> ReportError {
    ReportError(
      .cannotWrite, path: path, "cannot write report \(path): \(what)\(String(cString: strerror(errno)))")
  }

  private static func makeFolders(for path: String) throws(ReportError) {
    guard let slash = path.lastIndex(of: "/") else { return }
    var folder = path.hasPrefix("/") ? "/" : ""
    for component in path[..<slash].split(separator: "/") {
      folder += component + "/"
      if mkdir(folder, 0o755) != 0 && errno != EEXIST {
        throw failure(path, "cannot make folder \(folder): ")
      }
    }
  }

  private static func open(_ path: String, flags: Int32, shownAs shown: String? = nil) throws(ReportError)
    -> Int32
  {
    let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0o644)
    guard descriptor >= 0 else { throw failure(shown ?? path, "") }
    return descriptor
  }
}
