internal import InfraSpecCrypto
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#endif

/// The folder compiled specs are kept in: private to this user, because what it holds is run.
///
/// A program found here is executed as the caller (often root), so the folder must be one nobody
/// else can write to, and each binary is checked (owner, mode, and the SHA-256 recorded when it
/// was built) before it is handed out. Entries are pruned least recently used first.
struct SpecCache {
  let directory: String

  /// Bounds kept after every compile; `infraspec cache clean` empties the folder.
  static let maximumEntries = 64
  static let maximumBytes: Int64 = 256 << 20

  /// `$XDG_CACHE_HOME/infraspec`, `$HOME/.cache/infraspec`, or with neither (cron, some CI units)
  /// `$TMPDIR/infraspec-<uid>`: a shared temp folder only ever under a per-user name.
  static func defaultDirectory(environment: [String: String]) -> String {
    if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") { return cache + "/infraspec" }
    if let home = environment["HOME"], home.hasPrefix("/"), home != "/" { return home + "/.cache/infraspec" }
    var temporary = environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
    while temporary.count > 1 && temporary.hasSuffix("/") { temporary.removeLast() }
    return (temporary == "/" ? "" : temporary) + "/infraspec-\(geteuid())"
  }

  /// Creates the folder with mode 0700, or checks that the one there is this user's alone.
  static func open(_ directory: String) throws(SpecCompiler.CompileError) -> SpecCache {
    let parent = directory.parentPath
    try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    // mkdir fails on anything already there, so a folder someone planted is never taken as made.
    if mkdir(directory, 0o700) != 0 && errno != EEXIST {
      throw .cacheUnusable("cannot create the spec cache \(directory): \(lastError()); \(Self.remedy)")
    }
    try checkPrivate(directory)
    try checkParent(parent, of: directory)
    return SpecCache(directory: directory)
  }

  static let remedy = "set XDG_CACHE_HOME to a folder of your own"

  private static func checkPrivate(_ directory: String) throws(SpecCompiler.CompileError) {
    var info = stat()
    guard lstat(directory, &info) == 0 else {
      throw .cacheUnusable("cannot inspect the spec cache \(directory): \(lastError())")
    }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      throw .cacheUnusable("the spec cache \(directory) is not a folder (a symbolic link?); \(remedy)")
    }
    guard info.st_uid == geteuid() else {
      throw .cacheUnusable(
        "the spec cache \(directory) belongs to uid \(info.st_uid), not to you (uid \(geteuid())): "
          + "its programs would run as you; remove it or \(remedy)")
    }
    guard info.st_mode & 0o022 == 0 else {
      throw .cacheUnusable(
        "the spec cache \(directory) is writable by others (mode \(octal(info.st_mode & 0o777))): "
          + "remove it or \(remedy)")
    }
    // Caches made before it had to be private are 0755: ours, never writable by others; tighten.
    if info.st_mode & 0o077 != 0 { chmod(directory, 0o700) }
  }

  /// A folder anyone may write to must be sticky, or our folder could be swapped under us.
  private static func checkParent(_ parent: String, of directory: String) throws(SpecCompiler.CompileError) {
    var info = stat()
    guard stat(parent, &info) == 0 else { return }
    if info.st_mode & 0o002 != 0 && info.st_mode & S_ISVTX == 0 {
      throw .cacheUnusable(
        "the spec cache \(directory) is in \(parent), which anyone may write to and is not sticky; \(remedy)")
    }
  }

  // MARK: Binaries

  func binaryPath(_ key: String) -> String { "\(directory)/spec-\(key)" }
  private func recordPath(_ key: String) -> String { "\(directory)/spec-\(key).sha256" }

  /// What `binary(_:compiler:)` found.
  enum Lookup: Equatable {
    case found(String)
    case missing
    /// There, but not to be run: the reason, for a warning.
    case refused(String)
    /// Built by another compiler than the one on PATH.
    case stale
  }

  /// The cached binary for `key` if it is a regular file of this user that no one else may
  /// write, and its bytes have the SHA-256 recorded when it was built. `compiler` (nil when
  /// `swiftc` is not on PATH) must match the one recorded, when given.
  func binary(_ key: String, compiler: String?) -> Lookup {
    let binary = binaryPath(key)
    var info = stat()
    guard lstat(binary, &info) == 0 else { return .missing }
    if let problem = Self.unsafeFileProblem(info) { return .refused("\(binary): \(problem)") }
    var recordInfo = stat()
    guard lstat(recordPath(key), &recordInfo) == 0,
      Self.unsafeFileProblem(recordInfo) == nil,
      let record = try? String(contentsOfFile: recordPath(key), encoding: .utf8)
    else {
      return .refused("\(binary): no record of building it")
    }
    let lines = record.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard lines.count >= 2, let digest = Self.sha256(ofFile: binary), digest == lines[0] else {
      return .refused("\(binary): its content is not what was built")
    }
    if let compiler, lines[1] != compiler { return .stale }
    Self.markUsed(recordPath(key))
    return .found(binary)
  }

  /// Moves a freshly linked binary into place and records its digest and compiler.
  func store(_ built: String, key: String, compiler: String) throws(SpecCompiler.CompileError) {
    guard let digest = Self.sha256(ofFile: built) else {
      throw .cacheUnusable("cannot read the linked spec binary \(built)")
    }
    let record = recordPath(key)
    do {
      try (digest + "\n" + compiler + "\n").write(
        toFile: record + ".new-\(getpid())", atomically: false, encoding: .utf8)
    } catch {
      throw .cacheUnusable(
        "cannot write to the spec cache \(directory): \(reason(of: error)); \(Self.remedy)")
    }
    // Binary first, then its record: a reader sees either no record or the matching one.
    chmod(built, 0o700)
    guard rename(built, binaryPath(key)) == 0, rename(record + ".new-\(getpid())", record) == 0 else {
      throw .cacheUnusable("cannot write to the spec cache \(directory): \(Self.lastError()); \(Self.remedy)")
    }
  }

  /// Sets the access time, which pruning reads as "last used". Never the modification time: a
  /// link running at the same time reads this object and fails if it sees that change.
  static func markUsed(_ path: String) {
    // UTIME_NOW and UTIME_OMIT from <sys/stat.h>, which Swift does not import (they are macros).
    var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 1), timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2)]
    utimensat(AT_FDCWD, path, &times, 0)
  }

  /// Why a cached file must not be trusted, or nil: not a regular file, someone else's, or
  /// writable by others.
  static func unsafeFileProblem(_ info: stat) -> String? {
    if info.st_mode & S_IFMT != S_IFREG { return "not a regular file" }
    if info.st_uid != geteuid() { return "owned by uid \(info.st_uid), not by you (uid \(geteuid()))" }
    if info.st_mode & 0o022 != 0 { return "writable by others (mode \(octal(info.st_mode & 0o777)))" }
    return nil
  }

  static func sha256(ofFile path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return Digest.hex(Digest.sha256(data))
  }

  // MARK: Work folders and pruning

  /// A folder for this process's compiles (sources, objects, swiftc's own temp files).
  /// This process's work folder: one compile at a time per process.
  var workFolderPath: String { "\(directory)/work-\(getpid())" }

  func makeWorkFolder(_ work: String) throws(SpecCompiler.CompileError) {
    try? FileManager.default.removeItem(atPath: work)
    guard mkdir(work, 0o700) == 0, mkdir(work + "/tmp", 0o700) == 0 else {
      throw .cacheUnusable("cannot write to the spec cache \(directory): \(Self.lastError()); \(Self.remedy)")
    }
  }

  /// Removes work folders of compiles that were killed (their process is gone) and prunes.
  func sweep() {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names where name.hasPrefix("work-") {
      // `work-PID`, or `work-KEY-PID` from infraspec 0.1.0.
      guard let pid = name.split(separator: "-").last.flatMap({ pid_t($0) }), pid != getpid() else {
        continue
      }
      if kill(pid, 0) != 0 && errno == ESRCH {
        try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")
      }
    }
    prune()
  }

  /// One cache entry: the files of one key (binary and record, or an object file).
  struct Entry: Equatable {
    var key: String
    var files: [String]
    var bytes: Int64
    var lastUsed: Date
  }

  /// Deletes least recently used entries until at most `maximumEntries` and `maximumBytes` remain.
  func prune() {
    for entry in Self.entriesToPrune(entries()) {
      for file in entry.files { try? FileManager.default.removeItem(atPath: "\(directory)/\(file)") }
    }
  }

  func entries() -> [Entry] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    var byKey: [String: Entry] = [:]
    for name in names where name.hasPrefix("spec-") {
      let key = String(name.dropFirst("spec-".count).prefix { $0 != "." })
      var info = stat()
      guard lstat("\(directory)/\(name)", &info) == 0 else { continue }
      let modified = Date(timeIntervalSince1970: TimeInterval(max(info.st_mtim.tv_sec, info.st_atim.tv_sec)))
      var entry = byKey[key] ?? Entry(key: key, files: [], bytes: 0, lastUsed: .distantPast)
      entry.files.append(name)
      entry.bytes += Int64(info.st_size)
      entry.lastUsed = max(entry.lastUsed, modified)
      byKey[key] = entry
    }
    return Array(byKey.values)
  }

  /// The entries beyond the bounds, oldest first out; the newest entry always stays.
  static func entriesToPrune(
    _ entries: [Entry], maximumEntries: Int = maximumEntries, maximumBytes: Int64 = maximumBytes
  ) -> [Entry] {
    let newestFirst = entries.sorted { ($0.lastUsed, $0.key) > ($1.lastUsed, $1.key) }
    var kept = 0
    var bytes: Int64 = 0
    var pruned: [Entry] = []
    for entry in newestFirst {
      if kept > 0 && (kept >= maximumEntries || bytes + entry.bytes > maximumBytes) {
        pruned.append(entry)
      } else {
        kept += 1
        bytes += entry.bytes
      }
    }
    return pruned
  }

  /// Deletes every entry (and work folders of killed compiles); returns how many entries and
  /// bytes went. A compile running now keeps its work folder.
  func clean() -> (entries: Int, bytes: Int64) {
    let all = entries()
    for entry in all {
      for file in entry.files { try? FileManager.default.removeItem(atPath: "\(directory)/\(file)") }
    }
    sweep()
    return (all.count, all.reduce(0) { $0 + $1.bytes })
  }

  static func lastError() -> String { String(cString: strerror(errno)) }

  static func octal(_ mode: mode_t) -> String { "0" + String(mode, radix: 8) }
}
