import Foundation
import Testing

/// `infraspec build`: one file to carry, run the hard way; and the CLI's own manners.
@Suite("build command", .serialized)
struct BuildCommandTests {
  /// The repository's own `Specs/` folder (this file is `Tests/InfraSpecTests/EndToEnd/…`).
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  @Test("a built binary runs Specs/localhost.swift alone in an empty folder, with a bare environment")
  func carried() async throws {
    let folder = NSTemporaryDirectory() + "isp-build-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let built = try CLI.run(
      ["build", "Specs/localhost.swift", "-o", folder + "/x/checks"], in: Self.repository)
    #expect(built.status == 0, "\(built.stdout)\(built.stderr)")
    try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: false)
    try Shell.must(["cp", folder + "/x/checks", folder + "/empty/checks"])
    let checks = folder + "/empty/checks"
    let started = Date()
    let result = try Shell.run(
      ["env", "-i", "PATH=/usr/bin:/bin", "./checks", "--format", "tap"],
      in: URL(fileURLWithPath: folder + "/empty"))
    let elapsed = Date().timeIntervalSince(started)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasPrefix("TAP version"), "\(result.stdout)")
    #expect(!result.stdout.contains("not ok"), "\(result.stdout)")
    let libraries = try Shell.must(["ldd", checks])
    #expect(!libraries.contains("libswift"), "\(libraries)")
    #expect(!libraries.contains("libssh2"), "\(libraries)")
    #expect(!libraries.contains("libFoundation"), "\(libraries)")
    #expect(!libraries.contains("libssl") && !libraries.contains("libcrypto"), "\(libraries)")
    // Full Foundation would bring ICU and its data (34 MiB), whose table of contents names every
    // item `icudt<version>…`: none of it may be linked in.
    let image = try Data(contentsOf: URL(fileURLWithPath: checks))
    #expect(image.firstRange(of: Data("icudt".utf8)) == nil, "ICU data is linked into the built binary")
    let help = try Shell.run([checks, "--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("  Specs/localhost.swift\n"), "\(help.stdout)")
    #expect(help.stdout.contains("--inventory"), "\(help.stdout)")
    let version = try Shell.run([checks, "--version"])
    #expect(version.stdout.hasPrefix("0."), "\(version.stdout)")
    let listed = try Shell.run([checks, "--list", "--os", "alpine"])
    #expect(listed.status == 0)
    #expect(listed.stdout.contains("Specs/localhost.swift:"), "\(listed.stdout)")
    // Over SSH too, with the libssh2 linked into it.
    let server = try await SSHServerFixture.start()
    defer { server.stop() }
    let remote = try Shell.run(
      [
        "env", "-i", "PATH=/usr/bin:/bin", "./checks", "--format", "tap", "--host", server.target,
        "--known-hosts", server.knownHostsFile, "-i", server.clientKey("ed25519"),
      ], in: URL(fileURLWithPath: folder + "/empty"))
    #expect(remote.status == 0, "\(remote.stdout)\(remote.stderr)")
    #expect(remote.stdout.contains("# \(server.target): "), "\(remote.stdout)")
    let size = try (FileManager.default.attributesOfItem(atPath: checks)[.size] as? NSNumber)?.intValue ?? 0
    print(
      "bench: built binary \(size / 1_048_576) MiB, run of Specs/localhost.swift \(Int(elapsed * 1000)) ms")
  }

  @Test("a spec that does not compile is not built: exit 65 with the compiler's diagnostics")
  func buildRefusesBrokenSpec() throws {
    let root = try CLI.workspace(["broken.swift": "import InfraSpec\n\ndescribe(\"b\") { File(1) }\n"])
    let output = root.appendingPathComponent("checks").path
    let result = try CLI.run(["build", "-o", output], in: root)
    #expect(result.status == 65, "\(result.stdout)\(result.stderr)")
    #expect(result.stderr.contains("Specs/broken.swift:3:"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
  }

  @Test("list --format json: every check with its line, tags and the argv of its commands")
  func listJSON() throws {
    let root = try CLI.workspace([
      "l.swift": "import InfraSpec\n\ndescribe(\"l\") {\n  File(\"/etc/passwd\").exists()\n}\n"
    ])
    let result = try CLI.run(["list", "--format", "json", "--os", "alpine"], in: root)
    #expect(result.status == 0, "\(result.stderr)")
    struct Document: Decodable {
      struct Listed: Decodable {
        var name: String
        var file: String
        var line: Int
        var tags: [String]
        var commands: [[String]]?
      }
      var version: Int
      var family: String
      var checks: [Listed]
    }
    let document = try JSONDecoder().decode(Document.self, from: Data(result.stdout.utf8))
    #expect(document.version == 1 && document.family == "alpine")
    #expect(document.checks.map(\.name) == ["l › file /etc/passwd: exists"])
    #expect(document.checks.first?.file == "Specs/l.swift" && document.checks.first?.line == 4)
    #expect(document.checks.first?.commands?.first?.first == "sh", "\(result.stdout)")
  }

  @Test("--version names the release and the git commit")
  func version() throws {
    let result = try CLI.run(["--version"], in: Self.repository)
    #expect(result.status == 0)
    #expect(
      result.stdout.range(
        of: #"^\d+\.\d+\.\d+ \(commit [0-9a-f]{12}(-dirty)?\)\n$"#, options: .regularExpression) != nil,
      "\(result.stdout)")
  }

  @Test("errors that are not usage mistakes print no usage line")
  func noUsageLine() throws {
    let root = try CLI.workspace(["c.swift": "import InfraSpec\n"])
    let missing = try CLI.run(["run", "Specs/nope"], in: root)
    #expect(missing.status == 64)
    #expect(missing.stderr == "infraspec: no such spec file or folder: Specs/nope\n")
    let inventory = try CLI.run(["run", "--inventory", "missing.ini"], in: root)
    #expect(inventory.status == 64)
    #expect(
      inventory.stderr.hasPrefix("infraspec: cannot read inventory missing.ini: "), "\(inventory.stderr)")
    #expect(!inventory.stderr.contains("Usage:"))
  }

  @Test("a spec path with a newline is refused, naming it escaped")
  func newlineInPath() throws {
    let root = try CLI.workspace(["a\nb.swift": "import InfraSpec\n"])
    let result = try CLI.run(["run"], in: root)
    #expect(result.status == 64)
    #expect(
      result.stderr
        == "infraspec: the spec path \"Specs/a\\nb.swift\" holds a control character (a newline?): "
        + "diagnostics and reports could not name it; rename the file\n")
  }
}
