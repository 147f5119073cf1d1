import Foundation
import Testing

@testable import infraspec

/// The compile cache runs what it holds as the caller: it must be private, verified, bounded.
@Suite("spec cache", .serialized)
struct SpecCacheTests {
  static let spec = "import InfraSpec\n\ndescribe(\"cache\") { File(\"/etc/passwd\").exists() }\n"

  /// A cache holding `spec` compiled as `Specs/c.swift`, made once per test run.
  static let compiled = Result { () throws -> String in
    let cache = try scratch("template")
    let root = try CLI.workspace(["c.swift": spec])
    let result = try CLI.run(["run"], in: root, environment: ["XDG_CACHE_HOME": cache])
    guard result.status == 0 else { throw SetupError("compiling the template cache: \(result.stderr)") }
    return cache
  }

  /// A fresh copy of the compiled cache (for XDG_CACHE_HOME), removed by the caller.
  static func compiledCache() throws -> String {
    let cache = try scratch("cache")
    try Shell.must(["cp", "-a", try compiled.get() + "/infraspec", cache + "/infraspec"])
    return cache
  }

  /// A fresh temp folder (the run's TMPDIR or XDG_CACHE_HOME), removed by the caller.
  static func scratch(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "isp-\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func mode(_ path: String) throws -> Int {
    try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
  }

  /// The spec binaries in a cache folder (not object files, not records).
  static func binaries(_ cache: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: cache).filter {
      $0.hasPrefix("spec-") && !$0.contains(".")
    }
  }

  @Test("with HOME and XDG_CACHE_HOME unset the cache is $TMPDIR/infraspec-<uid>, mode 0700")
  func temporaryFallback() throws {
    let temporary = try Self.scratch("tmp")
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    let root = try CLI.workspace(["c.swift": Self.spec])
    let result = try CLI.run(
      ["run"], in: root, wrapper: ["env", "-u", "HOME", "-u", "XDG_CACHE_HOME", "TMPDIR=\(temporary)"])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let cache = temporary + "/infraspec-\(geteuid())"
    #expect(try Self.mode(cache) == 0o700)
    #expect(try Self.binaries(cache).count == 1)
    #expect(!FileManager.default.fileExists(atPath: temporary + "/.cache"))
  }

  @Test("a cache folder someone else owns, or others may write to, is refused and nothing in it runs")
  func foreignCacheFolder() throws {
    let temporary = try Self.scratch("tmp")
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    let root = try CLI.workspace(["c.swift": Self.spec])
    let environment = ["env", "-u", "HOME", "-u", "XDG_CACHE_HOME", "TMPDIR=\(temporary)"]
    let cache = temporary + "/infraspec-\(geteuid())"
    // What an attacker plants: the folder, before the victim's first run.
    try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: false)
    try Shell.must(["chown", "65534:65534", cache])
    var result = try CLI.run(["run"], in: root, wrapper: environment)
    #expect(result.status == 77, "\(result.stdout)\(result.stderr)")
    #expect(
      result.stderr
        == "infraspec: the spec cache \(cache) belongs to uid 65534, not to you (uid \(geteuid())): "
        + "its programs would run as you; remove it or set XDG_CACHE_HOME to a folder of your own\n")
    try Shell.must(["chown", "\(geteuid()):\(getegid())", cache])
    try Shell.must(["chmod", "0777", cache])
    result = try CLI.run(["run"], in: root, wrapper: environment)
    #expect(result.status == 77)
    #expect(result.stderr.contains("is writable by others (mode 0777)"), "\(result.stderr)")
    #expect(try Self.binaries(cache).isEmpty)
  }

  @Test(
    "a planted or altered cached binary is not run",
    arguments: [
      ("content", ["true"], "its content is not what was built"),
      ("owner", ["chown", "65534"], "owned by uid 65534, not by you"),
      ("mode", ["chmod", "0777"], "writable by others (mode 0777)"),
    ])
  func plantedBinary(_ name: String, alteration: [String], reason: String) throws {
    let cache = try Self.compiledCache()
    defer { try? FileManager.default.removeItem(atPath: cache) }
    let root = try CLI.workspace(["c.swift": Self.spec])
    let folder = cache + "/infraspec"
    let binary = try #require(try Self.binaries(folder).first.map { folder + "/" + $0 })
    let marker = cache + "/planted-ran"
    try "#!/bin/sh\ntouch '\(marker)'\necho 'ok 1 - planted'\n".write(
      toFile: binary, atomically: false, encoding: .utf8)
    if alteration != ["true"] { try Shell.must(alteration + [binary]) }
    let result = try CLI.run(["run"], in: root, environment: ["XDG_CACHE_HOME": cache])
    #expect(!FileManager.default.fileExists(atPath: marker), "the planted program ran")
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("ok 1 - cache › file /etc/passwd: exists"), "\(result.stdout)")
    #expect(
      result.stderr.hasPrefix("infraspec: not running \(binary): \(reason)"), "\(result.stderr)")
  }

  @Test("a read-only cache: a new spec exits 77 saying so, a compiled one still runs")
  func readOnlyCache() throws {
    let cache = try Self.compiledCache()
    defer { try? FileManager.default.removeItem(atPath: cache) }
    let root = try CLI.workspace(["c.swift": Self.spec])
    try "import InfraSpec\n\ndescribe(\"new\") { File(\"/etc/group\").exists() }\n"
      .write(to: root.appendingPathComponent("Specs/new.swift"), atomically: true, encoding: .utf8)
    // Root ignores file modes: only a read-only mount (in a private mount namespace) stops it.
    let readOnly = [
      "unshare", "-m", "sh", "-c",
      "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\"", "sh", cache,
    ]
    let fresh = try CLI.run(
      ["run", "Specs/new.swift"], in: root, wrapper: readOnly, environment: ["XDG_CACHE_HOME": cache])
    #expect(fresh.status == 77, "\(fresh.stdout)\(fresh.stderr)")
    #expect(
      fresh.stderr.hasPrefix("infraspec: cannot write to the spec cache \(cache)/infraspec: "),
      "\(fresh.stderr)")
    #expect(!fresh.stderr.contains("Usage:"))
    let compiled = try CLI.run(
      ["run", "Specs/c.swift"], in: root, wrapper: readOnly, environment: ["XDG_CACHE_HOME": cache])
    #expect(compiled.status == 0, "\(compiled.stdout)\(compiled.stderr)")
  }

  @Test("a compile leaves nothing in TMPDIR, and work folders of killed compiles are removed")
  func leftovers() throws {
    let temporary = try Self.scratch("tmp")
    let cache = try Self.scratch("cache")
    defer {
      try? FileManager.default.removeItem(atPath: temporary)
      try? FileManager.default.removeItem(atPath: cache)
    }
    // A compile killed earlier (its process is gone) left its copy of a spec behind.
    var deadPID: Int32 = 4_000_000
    while kill(deadPID, 0) == 0 || errno != ESRCH { deadPID -= 1 }
    let killed = cache + "/infraspec/work-\(deadPID)"
    try FileManager.default.createDirectory(atPath: killed + "/k", withIntermediateDirectories: true)
    try Shell.must(["chmod", "0700", cache + "/infraspec"])
    try Self.spec.write(toFile: killed + "/k/main.swift", atomically: true, encoding: .utf8)
    let root = try CLI.workspace(["\(UUID().uuidString.prefix(8)).swift": Self.spec])
    let result = try CLI.run(["run"], in: root, environment: ["XDG_CACHE_HOME": cache, "TMPDIR": temporary])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: temporary) == [])
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: cache + "/infraspec").filter {
        $0.hasPrefix("work-")
      } == [])
  }

  @Test("a compile stopped by SIGTERM removes its work folder, the copy of the spec in it included")
  func interruptedCompile() throws {
    let cache = try Self.scratch("cache")
    defer { try? FileManager.default.removeItem(atPath: cache) }
    let root = try CLI.workspace(["\(UUID().uuidString.prefix(8)).swift": Self.spec])
    // Started in the background; SIGTERM as soon as its work folder exists (the compile is on).
    let script = """
      "$1" run & pid=$!
      i=0; while [ ! -d "$XDG_CACHE_HOME/infraspec/work-$pid" ] && [ $i -lt 2000 ]; do sleep 0.005; i=$((i+1)); done
      kill -TERM $pid; wait $pid; echo "status $?"
      """
    let result = try Shell.run(
      ["sh", "-c", script, "sh", CLI.infraspec], in: root, environment: ["XDG_CACHE_HOME": cache])
    #expect(result.stdout == "status 143\n", "\(result.stdout)\(result.stderr)")
    let left = try FileManager.default.contentsOfDirectory(atPath: cache + "/infraspec")
    #expect(left.filter { $0.hasPrefix("work-") } == [], "\(left)")
  }

  @Test("the cache keeps at most its bound of entries, least recently used out; cache clean empties it")
  func pruning() throws {
    let cache = try Self.scratch("cache")
    defer { try? FileManager.default.removeItem(atPath: cache) }
    let folder = cache + "/infraspec"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Shell.must(["chmod", "0700", folder])
    for index in 0..<100 {
      let old = folder + "/spec-\(String(format: "%032x", index)).o"
      try Data(count: 1024).write(to: URL(fileURLWithPath: old))
      try FileManager.default.setAttributes(
        [.modificationDate: Date(timeIntervalSince1970: 1_600_000_000)], ofItemAtPath: old)
    }
    let root = try CLI.workspace(["c.swift": Self.spec])
    #expect(try CLI.run(["run"], in: root, environment: ["XDG_CACHE_HOME": cache]).status == 0)
    let kept = SpecCache(directory: folder).entries()
    #expect(kept.count == SpecCache.maximumEntries)
    #expect(try Self.binaries(folder).count == 1, "the entry just built stays")
    let clean = try CLI.run(["cache", "clean"], in: root, environment: ["XDG_CACHE_HOME": cache])
    #expect(clean.status == 0)
    #expect(clean.stdout.hasPrefix("removed \(SpecCache.maximumEntries) entries ("), "\(clean.stdout)")
    #expect(SpecCache(directory: folder).entries().isEmpty)
  }

  @Test("pruning keeps the newest entries within both bounds, and always the newest one")
  func pruneOrder() {
    let entries = (0..<5).map {
      SpecCache.Entry(
        key: "k\($0)", files: ["spec-k\($0)"], bytes: 10, lastUsed: Date(timeIntervalSince1970: Double($0)))
    }
    #expect(
      SpecCache.entriesToPrune(entries, maximumEntries: 3, maximumBytes: 1000).map(\.key) == ["k1", "k0"])
    #expect(
      SpecCache.entriesToPrune(entries, maximumEntries: 10, maximumBytes: 25).map(\.key) == [
        "k2", "k1", "k0",
      ])
    #expect(
      SpecCache.entriesToPrune(entries, maximumEntries: 10, maximumBytes: 5).map(\.key) == [
        "k3", "k2", "k1", "k0",
      ])
  }

  @Test("without HOME, XDG_CACHE_HOME or TMPDIR the fallback is per user; relative values are ignored")
  func defaultDirectory() {
    let uid = geteuid()
    #expect(SpecCache.defaultDirectory(environment: [:]) == "/tmp/infraspec-\(uid)")
    #expect(SpecCache.defaultDirectory(environment: ["TMPDIR": "/var/tmp/"]) == "/var/tmp/infraspec-\(uid)")
    #expect(
      SpecCache.defaultDirectory(environment: ["HOME": "/home/a", "XDG_CACHE_HOME": "rel"])
        == "/home/a/.cache/infraspec")
    #expect(
      SpecCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/home/a"]) == "/c/infraspec")
  }

  @Test("a compiled spec runs without swiftc on PATH; a new one says swiftc is missing")
  func withoutCompiler() throws {
    let cache = try Self.compiledCache()
    defer { try? FileManager.default.removeItem(atPath: cache) }
    let root = try CLI.workspace(["c.swift": Self.spec])
    let bare = ["XDG_CACHE_HOME": cache, "PATH": "/usr/bin:/bin"]
    let cached = try CLI.run(["run"], in: root, environment: bare)
    #expect(cached.status == 0, "\(cached.stdout)\(cached.stderr)")
    try Self.spec.write(to: root.appendingPathComponent("Specs/d.swift"), atomically: true, encoding: .utf8)
    let fresh = try CLI.run(["run"], in: root, environment: bare)
    #expect(fresh.status == 69)
    #expect(
      fresh.stderr.hasPrefix("infraspec: swiftc is not on PATH: these specs are not compiled yet"),
      "\(fresh.stderr)")
  }
}
