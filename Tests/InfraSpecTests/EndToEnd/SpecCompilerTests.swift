import Foundation
import Testing

/// Pins the compiler mechanism spec files depend on, and the cache around it.
@Suite("spec compiler", .serialized)
struct SpecCompilerTests {
  @Test("swiftc renames a main file's top-level code with -entry-point-function-name (a hidden flag)")
  func entryPointFlag() throws {
    let folder = NSTemporaryDirectory() + "isp-entry-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try "print(\"top level\")\n".write(toFile: folder + "/main.swift", atomically: true, encoding: .utf8)
    let compiled = try Shell.run([
      "swiftc", "-c", folder + "/main.swift", "-o", folder + "/main.o", "-Xfrontend",
      "-entry-point-function-name",
      "-Xfrontend", "__infraspec_pin",
    ])
    #expect(compiled.status == 0, "\(compiled.stderr)")
    let symbols = try Shell.run(["nm", "--defined-only", folder + "/main.o"]).stdout.split(separator: "\n")
      .map { $0.split(separator: " ").last ?? "" }
    #expect(symbols.contains("__infraspec_pin"), "\(symbols)")
    #expect(!symbols.contains("main"), "the renamed entry must not define main")
  }

  @Test("Support/ helpers are visible to every spec; several spec files run in one process")
  func supportAndSeveralFiles() throws {
    let root = try CLI.workspace([
      "Support/Roles.swift": """
      import InfraSpec

      @SpecBuilder
      func baseline(_ path: String) -> [Check] {
        File(path).exists()
      }

      extension File {
        func rootOwned() -> File { owner("root").group("root") }
      }
      """,
      "a.swift": "import InfraSpec\n\ndescribe(\"a\") { baseline(\"/etc/passwd\") }\n",
      "b/b.swift": "import InfraSpec\n\ndescribe(\"b\") { File(\"/etc/group\").rootOwned() }\n",
    ])
    let result = try CLI.run(["run"], in: root)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("ok 1 - a › file /etc/passwd: exists\n"), "\(result.stdout)")
    #expect(result.stdout.contains("ok 2 - b › file /etc/group: owner root\n"), "\(result.stdout)")
  }

  @Test("a warm run reuses the compiled spec; an edit recompiles it")
  func cache() throws {
    let cache = NSTemporaryDirectory() + "isp-cache-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: cache) }
    let root = try CLI.workspace([
      "c.swift": "import InfraSpec\n\ndescribe(\"c\") { File(\"/etc/passwd\").exists() }\n"
    ])
    func binaries() throws -> [String] {
      try FileManager.default.contentsOfDirectory(atPath: cache + "/infraspec").filter { !$0.contains(".") }
        .sorted()
    }
    #expect(try CLI.run(["run"], in: root, environment: ["XDG_CACHE_HOME": cache]).status == 0)
    let first = try binaries()
    #expect(first.count == 1)
    #expect(try CLI.run(["run"], in: root, environment: ["XDG_CACHE_HOME": cache]).status == 0)
    #expect(try binaries() == first)
    try "import InfraSpec\n\ndescribe(\"c\") { File(\"/etc/group\").exists() }\n"
      .write(to: root.appendingPathComponent("Specs/c.swift"), atomically: true, encoding: .utf8)
    #expect(try CLI.run(["run"], in: root, environment: ["XDG_CACHE_HOME": cache]).status == 0)
    #expect(try binaries().count == 2)
  }
}
