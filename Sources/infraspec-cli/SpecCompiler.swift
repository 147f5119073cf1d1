internal import Foundation

/// Compiles spec files against the InfraSpec library into one executable, cached by content.
///
/// Only a `main.swift` may hold top-level code, and a spec file is all top-level code. So each
/// spec file (with the `Support/` files) becomes its own module whose top-level code is renamed
/// from `main` to a per-file entry symbol (`-entry-point-function-name`), and a generated
/// `main.swift` calls every entry and then the runner. The spec is compiled from a copy named
/// `main.swift` that starts with `#sourceLocation`, so diagnostics and `#filePath` name the
/// user's own file and line.
struct SpecCompiler {
  /// Holds `libInfraSpec.so` and `Modules/InfraSpec.swiftmodule`: the directory of this binary.
  let libraryDirectory: String
  let swiftc: String
  let cacheDirectory: String

  struct CompileError: Error {
    /// The compiler's diagnostics (or what went wrong invoking it), for stderr.
    var message: String
    /// The spec did not compile (65), or the toolchain could not be used at all (69).
    var isSpecError: Bool
  }

  /// Flags every spec module is compiled with; part of the cache key.
  static let flags = ["-swift-version", "6", "-Onone", "-g", "-diagnostic-style", "llvm"]

  static func locate() throws(CompileError) -> SpecCompiler {
    let environment = ProcessInfo.processInfo.environment
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    let library =
      environment["INFRASPEC_LIBRARY_DIR"]
      ?? URL(fileURLWithPath: executable).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: library + "/Modules/InfraSpec.swiftmodule") else {
      throw CompileError(
        message: "the InfraSpec module is not next to this binary (\(library)/Modules); "
          + "run the infraspec built by `swift build`, or set INFRASPEC_LIBRARY_DIR",
        isSpecError: false)
    }
    let compiler = environment["SWIFTC"] ?? findInPath("swiftc", environment["PATH"] ?? "")
    guard let compiler else {
      throw CompileError(
        message:
          "swiftc is not on PATH: spec files are compiled with the Swift toolchain that built infraspec",
        isSpecError: false)
    }
    let cacheRoot =
      environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache"
    return SpecCompiler(libraryDirectory: library, swiftc: compiler, cacheDirectory: cacheRoot + "/infraspec")
  }

  /// The path of an executable for `files`, compiling only what the cache does not hold.
  func executable(for files: SpecFiles) async throws(CompileError) -> String {
    do {
      try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
    } catch {
      throw CompileError(
        message: "cannot create the spec cache \(cacheDirectory): \(error)", isSpecError: false)
    }
    let toolchainKey =
      identity(of: swiftc) + identity(of: libraryDirectory + "/libInfraSpec.so")
      + identity(of: libraryDirectory + "/Modules/InfraSpec.swiftmodule") + Self.flags.joined()
    var modules: [(spec: SpecFiles.Spec, key: String)] = []
    for spec in files.specs {
      var hasher = ContentHash()
      hasher.add(toolchainKey)
      hasher.add(spec.path)
      hasher.add(try read(spec.path))
      for support in spec.support {
        hasher.add(support)
        hasher.add(try read(support))
      }
      modules.append((spec, hasher.hex))
    }
    var linkHasher = ContentHash()
    linkHasher.add(toolchainKey)
    modules.forEach { linkHasher.add($0.key) }
    let binary = "\(cacheDirectory)/spec-\(linkHasher.hex)"
    if FileManager.default.isExecutableFile(atPath: binary) { return binary }

    let failures = await withTaskGroup(of: String?.self) { group in
      for module in modules {
        group.addTask { await compileModule(module.spec, key: module.key) }
      }
      var failures: [String] = []
      for await failure in group { if let failure { failures.append(failure) } }
      return failures
    }
    guard failures.isEmpty else { throw CompileError(message: failures.joined(), isSpecError: true) }
    try await link(modules.map(\.key), into: binary)
    return binary
  }

  /// Compiles one spec module to an object file; returns diagnostics when it does not compile.
  private func compileModule(_ spec: SpecFiles.Spec, key: String) async -> String? {
    let object = "\(cacheDirectory)/spec-\(key).o"
    if FileManager.default.fileExists(atPath: object) { return nil }
    let work = "\(cacheDirectory)/work-\(key)-\(getpid())"
    do {
      try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
      let source = try String(contentsOfFile: spec.path, encoding: .utf8)
      let literal = spec.path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
        of: "\"", with: "\\\"")
      try ("#sourceLocation(file: \"\(literal)\", line: 1)\n" + source)
        .write(toFile: work + "/main.swift", atomically: true, encoding: .utf8)
    } catch {
      return "\(spec.path): cannot prepare for compiling: \(error)\n"
    }
    defer { try? FileManager.default.removeItem(atPath: work) }
    let arguments =
      ["-module-name", "Spec_\(key.prefix(16))", "-wmo", "-c", work + "/main.swift"] + spec.support
      + ["-o", work + "/spec.o", "-I", libraryDirectory + "/Modules"]
      + ["-Xfrontend", "-entry-point-function-name", "-Xfrontend", Self.entrySymbol(key)] + Self.flags
    let result = await run(swiftc, arguments)
    guard result.status == 0 else {
      return result.output.isEmpty ? "\(spec.path): swiftc exited with \(result.status)\n" : result.output
    }
    // rename(2) replaces atomically, so a concurrent run compiling the same spec is harmless.
    _ = rename(work + "/spec.o", object)
    return nil
  }

  private func link(_ keys: [String], into binary: String) async throws(CompileError) {
    let work = binary + ".work-\(getpid())"
    var main = "@_spi(Runner) import InfraSpec\n\n"
    for (index, key) in keys.enumerated() {
      main += """
        @_silgen_name("\(Self.entrySymbol(key))")
        func spec\(index)(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32

        """
    }
    main += keys.indices.map { "_ = spec\($0)(CommandLine.argc, CommandLine.unsafeArgv)\n" }.joined()
    main += "await SpecMain.main(arguments: CommandLine.arguments)\n"
    do {
      try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
      try main.write(toFile: work + "/main.swift", atomically: true, encoding: .utf8)
    } catch {
      throw CompileError(message: "cannot write the spec entry point: \(error)", isSpecError: false)
    }
    defer { try? FileManager.default.removeItem(atPath: work) }
    let objects = keys.map { "\(cacheDirectory)/spec-\($0).o" }
    let arguments =
      ["-module-name", "InfraSpecSpecs", work + "/main.swift"] + objects
      + ["-I", libraryDirectory + "/Modules", "-L", libraryDirectory, "-lInfraSpec"]
      + ["-Xlinker", "-rpath", "-Xlinker", libraryDirectory, "-o", work + "/spec"] + Self.flags
    let result = await run(swiftc, arguments)
    guard result.status == 0 else {
      throw CompileError(message: "linking the specs failed:\n" + result.output, isSpecError: false)
    }
    // Renamed into place so a concurrent run never executes a half-written binary.
    _ = rename(work + "/spec", binary)
  }

  static func entrySymbol(_ key: String) -> String { "__infraspec_spec_\(key.prefix(24))" }

  private func read(_ path: String) throws(CompileError) -> String {
    do {
      return try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw CompileError(
        message: "\(path): cannot read as UTF-8 text: \(error.localizedDescription)\n", isSpecError: true)
    }
  }

  /// Path, size and modification time: enough to notice a rebuilt library or a new toolchain.
  private func identity(of path: String) -> String {
    let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    let attributes = try? FileManager.default.attributesOfItem(atPath: resolved)
    let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
    let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    return "\(resolved)|\(size)|\(modified)|"
  }

  private static func findInPath(_ name: String, _ path: String) -> String? {
    path.split(separator: ":").map { "\($0)/\(name)" }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  /// Runs the compiler, returning its exit status and combined output.
  private func run(_ program: String, _ arguments: [String]) async -> (status: Int32, output: String) {
    await withCheckedContinuation { continuation in
      let process = Foundation.Process()
      process.executableURL = URL(fileURLWithPath: program)
      process.arguments = arguments
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = pipe
      process.standardInput = FileHandle.nullDevice
      do {
        try process.run()
      } catch {
        continuation.resume(returning: (127, "cannot run \(program): \(error.localizedDescription)\n"))
        return
      }
      DispatchQueue.global().async {
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
      }
    }
  }
}
