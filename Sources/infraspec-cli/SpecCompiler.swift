internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecReporters
@_spi(Runner) internal import InfraSpecTransports
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#endif

/// Compiles spec files against the InfraSpec library into one executable, cached by content.
///
/// Only a `main.swift` may hold top-level code, and a spec file is all top-level code. So each
/// spec file (with the `Support/` files) becomes its own module whose top-level code is renamed
/// from `main` to a per-file entry symbol (`-entry-point-function-name`), and a generated
/// `main.swift` calls every entry and then the runner. The spec is compiled from a copy named
/// `main.swift` that starts with `#sourceLocation`, so diagnostics and `#filePath` name the
/// user's own file and line.
struct SpecCompiler {
  /// Holds `libInfraSpec.so` and `Modules/InfraSpec.swiftmodule`.
  let libraryDirectory: String
  /// Nil when `swiftc` is not on PATH: specs compiled before still run.
  let swiftc: String?
  let cacheDirectory: String

  struct CompileError: Error {
    enum Kind {
      /// The spec does not compile (65).
      case spec
      /// No usable toolchain or InfraSpec module (69).
      case toolchain
      /// The cache cannot be used: not writable, or not private to this user (77).
      case cache
    }

    /// The compiler's diagnostics (or what went wrong invoking it), for stderr.
    var message: String
    var kind: Kind

    var isSpecError: Bool { kind == .spec }

    var exitCode: Int32 {
      switch kind {
      case .spec: 65
      case .toolchain: 69
      case .cache: SpecCompiler.cacheUnusableExitCode
      }
    }

    static func cacheUnusable(_ message: String) -> Self { Self(message: message, kind: .cache) }
    static func toolchain(_ message: String) -> Self { Self(message: message, kind: .toolchain) }
  }

  /// sysexits EX_NOPERM: the spec cache is not writable, or is not private to this user.
  static let cacheUnusableExitCode: Int32 = 77

  /// Flags every spec module is compiled with; part of the cache key.
  static let flags = ["-swift-version", "6", "-Onone", "-g", "-diagnostic-style", "llvm"]

  static func locate() throws(CompileError) -> SpecCompiler {
    let environment = ProcessInfo.processInfo.environment
    guard let library = InstallLayout.current.libraryDirectory(environment: environment) else {
      throw .toolchain(
        "the InfraSpec module is not installed beside this binary (\(InstallLayout.current.binDirectory)/Modules "
          + "or ../lib/infraspec/Modules); run the infraspec built by `swift build` or `make install`, "
          + "or set INFRASPEC_LIBRARY_DIR")
    }
    let compiler = environment["SWIFTC"] ?? findInPath("swiftc", environment["PATH"] ?? "")
    return SpecCompiler(
      libraryDirectory: library, swiftc: compiler,
      cacheDirectory: SpecCache.defaultDirectory(environment: environment))
  }

  /// The path of an executable for `files`, compiling only what the cache does not hold.
  func executable(for files: SpecFiles) async throws(CompileError) -> String {
    let cache = try SpecCache.open(cacheDirectory)
    let key = try binaryKey(for: files)
    let compiler = swiftc.map(identity(of:))
    switch cache.binary(key, compiler: compiler) {
    case .found(let binary): return binary
    case .refused(let reason):
      OutputStream.standardError.write("infraspec: not running \(reason); compiling it again\n")
    case .missing, .stale: break
    }
    let (work, handlers) = try prepare(cache)
    defer {
      try? FileManager.default.removeItem(atPath: work)
      CompileInterruption.disarm(handlers)
    }
    let keys = try await compileObjects(files, cache: cache, work: work)
    try await link(keys, into: work + "/spec", work: work)
    try cache.store(work + "/spec", key: key, compiler: compiler ?? "")
    cache.prune()
    return cache.binaryPath(key)
  }

  /// A work folder for one compile, after clearing those of killed compiles, and the signal
  /// handlers that remove it: armed before the folder exists, so no signal lands in between and
  /// leaves it (a SIGTERM right after `mkdir` did, on a loaded machine). The caller disarms them.
  func prepare(_ cache: SpecCache) throws(CompileError) -> (work: String, handlers: [sigaction]) {
    guard swiftc != nil else {
      throw .toolchain(
        "swiftc is not on PATH: these specs are not compiled yet, and spec files are compiled "
          + "with the Swift toolchain that built infraspec (or use `infraspec build` to carry them)")
    }
    cache.sweep()
    let work = cache.workFolderPath
    let handlers = CompileInterruption.arm(removing: work)
    do {
      try cache.makeWorkFolder(work)
    } catch {
      CompileInterruption.disarm(handlers)
      throw error
    }
    return (work, handlers)
  }

  /// Library build, flags and every spec's own content: not the compiler, so a compiled spec is
  /// found without `swiftc` on PATH (the record names the compiler that built it).
  func binaryKey(for files: SpecFiles) throws(CompileError) -> String {
    var hasher = ContentHash()
    hasher.add(libraryKey)
    for spec in files.specs { hasher.add(try contentKey(of: spec)) }
    return hasher.hex
  }

  private var libraryKey: String {
    identity(of: libraryDirectory + "/libInfraSpec.so")
      + identity(of: libraryDirectory + "/Modules/InfraSpec.swiftmodule") + Self.flags.joined()
  }

  private func contentKey(of spec: SpecFiles.Spec) throws(CompileError) -> String {
    var hasher = ContentHash()
    hasher.add(spec.path)
    hasher.add(try read(spec.path))
    for support in spec.support {
      hasher.add(support)
      hasher.add(try read(support))
    }
    return hasher.hex
  }

  /// Compiles the spec modules the cache lacks; returns every module's key, in spec order.
  func compileObjects(_ files: SpecFiles, cache: SpecCache, work: String) async throws(CompileError)
    -> [String]
  {
    guard let swiftc else { throw .toolchain("swiftc is not on PATH") }
    var modules: [(spec: SpecFiles.Spec, key: String)] = []
    for spec in files.specs {
      var hasher = ContentHash()
      hasher.add(libraryKey)
      hasher.add(identity(of: swiftc))
      hasher.add(try contentKey(of: spec))
      modules.append((spec, hasher.hex))
    }
    let failures = await withTaskGroup(of: CompileError?.self) { group in
      for module in modules {
        group.addTask { await compileModule(module.spec, key: module.key, cache: cache, work: work) }
      }
      var failures: [CompileError] = []
      for await failure in group { if let failure { failures.append(failure) } }
      return failures
    }
    if let unusable = failures.first(where: { $0.kind != .spec }) { throw unusable }
    guard failures.isEmpty else {
      throw CompileError(message: failures.map(\.message).joined(), kind: .spec)
    }
    return modules.map(\.key)
  }

  func objectPath(_ key: String) -> String { "\(cacheDirectory)/spec-\(key).o" }

  /// Compiles one spec module to an object file; returns what went wrong, if anything.
  private func compileModule(_ spec: SpecFiles.Spec, key: String, cache: SpecCache, work: String) async
    -> CompileError?
  {
    let object = objectPath(key)
    var info = stat()
    if lstat(object, &info) == 0 {
      if SpecCache.unsafeFileProblem(info) == nil {
        SpecCache.markUsed(object)
        return nil
      }
      try? FileManager.default.removeItem(atPath: object)
    }
    let folder = "\(work)/\(key)"
    let source: String
    let literal = spec.path.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
      source = try String(contentsOfFile: spec.path, encoding: .utf8)
    } catch {
      return .cacheUnusable(
        "cannot write to the spec cache \(cacheDirectory): \(reason(of: error)); \(SpecCache.remedy)"
      )
    }
    let arguments =
      ["-module-name", "Spec_\(key.prefix(16))", "-wmo", "-c", folder + "/main.swift"] + spec.support
      + ["-o", folder + "/spec.o", "-I", libraryDirectory + "/Modules"]
      + ["-Xfrontend", "-entry-point-function-name", "-Xfrontend", Self.entrySymbol(key)] + Self.flags
    // Large describe bodies compile from a split copy (SpecSourceSplitter); when that copy does
    // not compile, the spec as written is compiled, so its diagnostics are the user's own.
    var result: (status: Int32, output: String) = (1, "")
    for text in [SpecSourceSplitter.split(source, fileLiteral: literal), source].compactMap({ $0 }) {
      do {
        try ("#sourceLocation(file: \"\(literal)\", line: 1)\n" + text)
          .write(toFile: folder + "/main.swift", atomically: false, encoding: .utf8)
      } catch {
        return .cacheUnusable(
          "cannot write to the spec cache \(cacheDirectory): \(reason(of: error)); \(SpecCache.remedy)"
        )
      }
      result = await run(arguments, work: work)
      if result.status == 0 { break }
    }
    guard result.status == 0 else {
      let message =
        result.output.isEmpty ? "\(spec.path): swiftc exited with \(result.status)\n" : result.output
      return CompileError(message: message, kind: .spec)
    }
    // link(2) puts the object in place atomically and never replaces one a concurrent run put
    // there first: that one may be an input of a link going on now.
    guard Glibc.link(folder + "/spec.o", object) == 0 || errno == EEXIST else {
      return .cacheUnusable("cannot write to the spec cache \(cacheDirectory): \(SpecCache.lastError())")
    }
    return nil
  }

  /// Links the spec modules with a generated `main.swift` against `libInfraSpec.so`.
  private func link(_ keys: [String], into binary: String, work: String) async throws(CompileError) {
    let main =
      Self.entryDeclarations(keys) + Self.entryCalls(keys)
      + "await SpecMain.main(arguments: CommandLine.arguments)\n"
    try Self.write(main, to: work + "/main.swift")
    let arguments =
      ["-module-name", "InfraSpecSpecs", work + "/main.swift"] + keys.map(objectPath)
      + ["-I", libraryDirectory + "/Modules", "-L", libraryDirectory, "-lInfraSpec"]
      + ["-Xlinker", "-rpath", "-Xlinker", libraryDirectory, "-o", binary] + Self.flags
    let result = await run(arguments, work: work)
    guard result.status == 0 else {
      throw .toolchain("linking the specs failed:\n" + result.output)
    }
  }

  /// The generated main's declarations of every spec module's entry.
  static func entryDeclarations(_ keys: [String]) -> String {
    var text = "@_spi(Runner) import InfraSpec\n\n"
    for (index, key) in keys.enumerated() {
      text += """
        @_silgen_name("\(entrySymbol(key))")
        func spec\(index)(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32

        """
    }
    return text
  }

  /// Runs every spec file's top-level code, which registers its checks; a `print` in it goes to
  /// standard error, so stdout carries the report alone.
  static func entryCalls(_ keys: [String]) -> String {
    "SpecMain.loadingSpecs {\n"
      + keys.indices.map { "  _ = spec\($0)(CommandLine.argc, CommandLine.unsafeArgv)\n" }.joined() + "}\n"
  }

  static func entrySymbol(_ key: String) -> String { "__infraspec_spec_\(key.prefix(24))" }

  static func write(_ text: String, to path: String) throws(CompileError) {
    do {
      try text.write(toFile: path, atomically: false, encoding: .utf8)
    } catch {
      throw .cacheUnusable("cannot write \(path): \(reason(of: error))")
    }
  }

  private func read(_ path: String) throws(CompileError) -> String {
    do {
      return try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw CompileError(
        message: "\(path): cannot read as UTF-8 text: \(reason(of: error))\n", kind: .spec)
    }
  }

  /// Path, size and modification time: enough to notice a rebuilt library or a new toolchain.
  private func identity(of path: String) -> String {
    let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    let attributes = try? FileManager.default.attributesOfItem(atPath: resolved)
    let size = (attributes?[.size] as? Int) ?? -1
    let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    return "\(resolved)|\(size)|\(modified)|"
  }

  static func findInPath(_ name: String, _ path: String) -> String? {
    path.split(separator: ":").map { "\($0)/\(name)" }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  /// Runs swiftc with its temp files in `work/tmp` (it leaves empty `TemporaryDirectory.*`
  /// folders behind), returning its exit status and combined output.
  func run(_ arguments: [String], work: String) async -> (status: Int32, output: String) {
    guard let swiftc else { return (127, "swiftc is not on PATH\n") }
    var environment = ProcessInfo.processInfo.environment
    environment["TMPDIR"] = work + "/tmp"
    // In a group of its own, which an interrupted compile kills (and waits for) before removing
    // the work folder: a swiftc left running wrote into the folder after its removal and
    // recreated it. A Ctrl-C at the terminal reaches it through that handler.
    let result = await ChildProcess.runOffPool(
      [swiftc] + arguments, environment: Subprocess.environment(environment), timeout: nil, ownGroup: true,
      mergeStderr: true, onSpawn: CompileInterruption.compilerStarted,
      onExit: CompileInterruption.compilerEnded)
    CompileInterruption.waitIfInterrupted()
    switch result {
    case .success(let output): return (output.exitStatus, String(decoding: output.stdout, as: UTF8.self))
    case .failure(let error): return (127, "cannot run \(swiftc): \(error.message)\n")
    }
  }
}
