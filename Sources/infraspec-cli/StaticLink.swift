internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#endif

/// Links spec modules with `infraspec`'s own objects (CLI, InfraSpec,
/// ArgumentParser) into one executable with the Swift runtime, libssh2 and OpenSSL static; the
/// rest is glibc, libstdc++ and zlib, which every Debian and Ubuntu machine has.
enum StaticLink {
  static func build(_ files: SpecFiles, to output: String) async throws(SpecCompiler.CompileError) {
    let compiler = try SpecCompiler.locate()
    guard let objects = InstallLayout.current.linkObjects(libraryDirectory: compiler.libraryDirectory) else {
      throw .toolchain(
        "the objects infraspec is linked from are not installed (\(compiler.libraryDirectory)/infraspec-objects.o): "
          + "use the infraspec of `swift build` or of `make install`")
    }
    let cache = try SpecCache.open(compiler.cacheDirectory)
    let (work, handlers) = try compiler.prepare(cache)
    defer {
      try? FileManager.default.removeItem(atPath: work)
      CompileInterruption.disarm(handlers)
    }
    let keys = try await compiler.compileObjects(files, cache: cache, work: work)
    try SpecCompiler.write(main(keys, specs: files.specs.map(\.path)), to: work + "/main.swift")
    try staticLibraries(in: work + "/static")
    let binary = work + "/checks"
    let arguments =
      ["-module-name", "InfraSpecChecks", "-static-stdlib", work + "/main.swift"]
      + keys.map(compiler.objectPath)
      + objects + ["-I", compiler.libraryDirectory + "/Modules", "-L", work + "/static", "-o", binary]
      + SpecCompiler.flags + foundation + trim
    let result = await compiler.run(arguments, work: work)
    guard result.status == 0 else { throw .toolchain("linking \(output) failed:\n" + result.output) }
    // Copied beside the destination and renamed over it: never a half-written program in place.
    let partial = output + ".partial-\(getpid())"
    do {
      try FileManager.default.createDirectory(
        atPath: output.parentPath.isEmpty
          ? "." : output.parentPath,
        withIntermediateDirectories: true)
      try? FileManager.default.removeItem(atPath: partial)
      try FileManager.default.copyItem(atPath: binary, toPath: partial)
    } catch {
      throw .toolchain("cannot write \(output): \(reason(of: error))")
    }
    guard chmod(partial, 0o755) == 0, rename(partial, output) == 0 else {
      let reason = SpecCache.lastError()
      try? FileManager.default.removeItem(atPath: partial)
      throw .toolchain("cannot write \(output): \(reason)")
    }
  }

  /// No symbol tables and no unreferenced sections: the static stdlib's link arguments ask for
  /// `-export-dynamic`, which keeps every symbol's name in the file (about 2 MiB) though nothing
  /// loads this program as a library.
  static let trim = ["--strip-all", "--no-export-dynamic", "--gc-sections"].flatMap { ["-Xlinker", $0] }

  /// FoundationEssentials and what it needs: autolinking names them only from the objects given,
  /// not from inside the toolchain's archives, so they are named here, as one group. Full
  /// Foundation (and ICU's 34 MiB of data) is deliberately absent: nothing linked may need it,
  /// and if something starts to, the link fails instead of the binary growing threefold.
  static let foundation: [String] = {
    let libraries = [
      "FoundationEssentials", "_FoundationCShims", "_FoundationCollections", "swiftDispatch", "dispatch",
      "BlocksRuntime", "swiftSynchronization",
    ]
    return (["--start-group"] + libraries.map { "-l" + $0 } + ["--end-group"]).flatMap { ["-Xlinker", $0] }
  }()

  /// Registers the spec paths for `--help`, runs every spec file's top-level code, then the CLI.
  static func main(_ keys: [String], specs: [String]) -> String {
    let list = specs.joined(separator: "\n").replacing("\\", with: "\\\\")
      .replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    return SpecCompiler.entryDeclarations(keys) + """
      @_silgen_name("infraspec_built_in_specs")
      func builtInSpecs(_ paths: UnsafePointer<CChar>)
      @_silgen_name("infraspec_main")
      func infraspecMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32

      builtInSpecs("\(list)")

      """ + SpecCompiler.entryCalls(keys) + "_ = infraspecMain(CommandLine.argc, CommandLine.unsafeArgv)\n"
  }

  /// A folder searched first for `-lssh2`, `-lssl` and `-lcrypto` (which the CLibSSH2 and COpenSSL
  /// modules link) where it finds linker scripts naming the static libraries.
  static func staticLibraries(in folder: String) throws(SpecCompiler.CompileError) {
    var system = utsname()
    uname(&system)
    let machine = withUnsafeBytes(of: system.machine) {
      String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
    }
    let candidates = ["/usr/lib/\(machine)-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"]
    func find(_ name: String) throws(SpecCompiler.CompileError) -> String {
      guard let folder = candidates.first(where: { FileManager.default.fileExists(atPath: "\($0)/\(name)") })
      else {
        throw .toolchain(
          "\(name) is not installed (Debian and Ubuntu: apt-get install libssh2-1-dev libssl-dev)")
      }
      return "\(folder)/\(name)"
    }
    let script = "GROUP ( \(try find("libssh2.a")) \(try find("libcrypto.a")) -lz )\n"
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    } catch {
      throw .cacheUnusable("cannot write \(folder): \(reason(of: error))")
    }
    try SpecCompiler.write(script, to: folder + "/libssh2.a")
    // The edge checks' OpenSSL (COpenSSL links -lssl -lcrypto): static too, so the binary runs
    // where OpenSSL 3 is absent or another version.
    let crypto = try find("libcrypto.a")
    try SpecCompiler.write("GROUP ( \(try find("libssl.a")) \(crypto) )\n", to: folder + "/libssl.a")
    try SpecCompiler.write("GROUP ( \(crypto) )\n", to: folder + "/libcrypto.a")
  }
}
