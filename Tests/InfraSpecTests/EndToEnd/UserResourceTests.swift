import Foundation
import Testing

/// A resource written in a spec folder's `Support/` with the public protocol, compiled and run by
/// the real `infraspec run`: it checks like a built-in one, and a failure names the spec's line.
@Suite("resources users write", .serialized)
struct UserResourceTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let fixture = repository.appendingPathComponent("Tests/Fixtures/user-resource/Specs")
  static let files = ["Support/KernelType.swift", "kernel.swift"]

  static func workspace() throws -> URL {
    try CLI.workspace(
      Dictionary(
        uniqueKeysWithValues: try files.map {
          ($0, try String(contentsOf: fixture.appendingPathComponent($0), encoding: .utf8))
        }))
  }

  @Test("a Support/ resource passes and fails like a built-in one, at the spec's line")
  func userResourceRuns() throws {
    let root = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: root) }
    let tap = try CLI.run(["run", "Specs", "--format", "tap"], in: root)
    #expect(tap.status == 1, "\(tap.stderr)")
    #expect(tap.stdout.contains("\nok 1 - kernel › kernel type: name Linux\n"), "\(tap.stdout)")
    #expect(tap.stdout.contains("\nnot ok 2 - kernel › kernel type: name Plan 9\n"), "\(tap.stdout)")
    let human = try CLI.run(["run", "Specs", "--format", "human"], in: root)
    // Line 5 of the spec, not line 16 of the helper that builds the check.
    #expect(
      human.stdout.contains("Specs/kernel.swift:5:21: kernel type: name: expected Plan 9, got Linux\n"),
      "\(human.stdout)")
    #expect(!human.stdout.contains("KernelType.swift"), "\(human.stdout)")
  }

  @Test("a spec file sees the DSL and its layers, not the transports, SSH or reporters")
  func specSurface() throws {
    let root = try CLI.workspace([
      "surface.swift": "import InfraSpec\n\nlet t = LocalTransport.self\nlet r = TAPReporter.self\n"
        + "let s = SSHTarget.self\nlet e = Event.self\n"
    ])
    defer { try? FileManager.default.removeItem(at: root) }
    let result = try CLI.run(["run", "Specs"], in: root)
    #expect(result.status == 65, "\(result.stdout)\(result.stderr)")
    for name in ["LocalTransport", "TAPReporter", "SSHTarget", "Event"] {
      #expect(result.stderr.contains("cannot find '\(name)' in scope"), "\(name): \(result.stderr)")
    }
  }

  @Test("the article's example is this test's spec folder, character for character")
  func articleShowsTheFixture() throws {
    let article = try String(
      contentsOf: Self.repository.appendingPathComponent(
        "Sources/InfraSpec/InfraSpec.docc/WritingYourOwnResource.md"), encoding: .utf8)
    for file in Self.files {
      let source = try String(contentsOf: Self.fixture.appendingPathComponent(file), encoding: .utf8)
      #expect(article.contains("```swift\n// Specs/\(file)\n" + source + "```\n"), "\(file)")
    }
  }
}
