internal import ArgumentParser
internal import FoundationEssentials

/// `infraspec cache`: where compiled specs are kept, and emptying it.
struct CacheCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cache", abstract: "Show or empty the cache of compiled specs.",
    discussion: """
      Compiled specs live in $XDG_CACHE_HOME/infraspec, ~/.cache/infraspec, or (with neither set)
      $TMPDIR/infraspec-<uid>; the folder must be yours alone (mode 0700). The least recently used
      entries are removed beyond \(SpecCache.maximumEntries) entries or \(SpecCache.maximumBytes >> 20) MiB.
      """,
    subcommands: [Info.self, Clean.self], defaultSubcommand: Info.self)

  static func open() throws -> SpecCache {
    do {
      return try SpecCache.open(SpecCache.defaultDirectory(environment: ProcessInfo.processInfo.environment))
    } catch {
      throw Failure.exit(error.message, code: error.exitCode)
    }
  }

  /// `infraspec cache info`: the folder, its entries and their size.
  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the cache folder, its entries and size.")

    func run() throws {
      let cache = try CacheCommand.open()
      let entries = cache.entries()
      let bytes = entries.reduce(0) { $0 + $1.bytes }
      print("\(cache.directory): \(entries.count) entries, \(CacheCommand.size(bytes))")
    }
  }

  /// `infraspec cache clean`: removes every compiled spec.
  struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove every compiled spec from the cache.")

    func run() throws {
      let cache = try CacheCommand.open()
      let removed = cache.clean()
      print(
        "removed \(removed.entries) entries (\(CacheCommand.size(removed.bytes))) from \(cache.directory)")
    }
  }

  static func size(_ bytes: Int64) -> String {
    guard bytes >= 1 << 20 else { return "\(bytes / 1024) KiB" }
    // Tenths of a MiB, rounded to nearest, in integers (String(format:) needs full Foundation).
    let tenths = (bytes * 10 + (1 << 19)) >> 20
    return "\(tenths / 10).\(tenths % 10) MiB"
  }
}
