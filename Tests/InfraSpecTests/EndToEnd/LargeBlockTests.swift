import Foundation
import Testing

@testable import infraspec

/// A flat `describe` of thousands of checks compiles in seconds (issue 9, item 15): the large
/// bodies are compiled from a split copy whose checks keep every line and column.
@Suite("large describe blocks", .serialized)
struct LargeBlockTests {
  /// A spec with what a split must step around: globals, chains over several lines, braces and
  /// `//` in strings (plain, raw, multi-line, interpolated) and comments, `if`/`for`, a nested
  /// large block, a small one, a `print`.
  static let tricky: String = {
    var lines = [
      "import InfraSpec", "", "let owner = \"root\"", "let paths = [\"/etc/passwd\", \"/etc/group\"]", "",
      "describe(\"pop\", tags: \"big\") {", "  // a comment { with a brace",
    ]
    for index in 0..<30 {
      lines += [
        "  File(\"/etc/passwd\").exists()",
        "  File(\"/etc/passwd\")", "    .mode(0o644)", "    .owner(owner)",
        "  Command(\"printf '%s' '{ // not code \\(\(index)) }'\").stdout(contains: \"{\")",
        "  File(\"/etc/\" +", "    \"group\").exists()",
        "  /* a block { comment", "     } */",
        "  for path in paths { File(path).exists() }",
        "  if owner == \"root\" {", "    File(\"/etc/hostname\").exists()", "  } else {",
        "    File(\"/nope\").exists()", "  }",
        "  Command(#\"printf '%s' \"raw { \\(x)\"\"#).stdout(#\"raw { \\(x)\"#)",
        "  Command(\"\"\"", "    printf '}'", "    \"\"\").stdout(\"}\")",
      ]
      if index == 12 {
        lines.append("  describe(\"inner\") {")
        for inner in 0..<50 { lines.append("    Port(\(2000 + inner)).isNotListening()") }
        lines += ["  }", "  describe(\"small\") { File(\"/etc/passwd\").exists() }", "  print(\"loading\")"]
      }
    }
    lines += ["}", ""]
    return lines.joined(separator: "\n")
  }()

  @Test("a split spec lists the same checks at the same lines and columns, and runs them the same")
  func sameChecks() throws {
    let split = try #require(SpecSourceSplitter.split(Self.tricky, fileLiteral: "Specs/p.swift"))
    // Both the outer block (243 statements) and the nested one (50) were split, 25 to a part.
    #expect(split.components(separatedBy: "func __infraspec_part_").count - 1 == 10 + 2)
    // `#if` stops the splitter: the same checks, compiled as written, are the reference.
    let asWritten = Self.tricky + "#if true\n#endif\n"
    #expect(SpecSourceSplitter.split(asWritten, fileLiteral: "Specs/p.swift") == nil)
    let root = try CLI.workspace(["p.swift": Self.tricky])
    let reference = try CLI.workspace(["p.swift": asWritten])
    let listed = try CLI.run(["list", "--format", "json"], in: root)
    let expected = try CLI.run(["list", "--format", "json"], in: reference)
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(expected.status == 0, "\(expected.stderr)")
    #expect(listed.stdout == expected.stdout)
    let ran = try CLI.run(["run"], in: root)
    let ranAsWritten = try CLI.run(["run"], in: reference)
    func verdicts(_ tap: String) -> [Substring] {
      tap.split(separator: "\n").filter {
        $0.hasPrefix("ok ") || $0.hasPrefix("not ok ") || $0.hasPrefix("1..")
      }
    }
    #expect(verdicts(ran.stdout) == verdicts(ranAsWritten.stdout))
    #expect(ran.stderr.contains("loading\n"), "\(ran.stderr)")
    #expect(ran.stdout.hasPrefix("1..\(30 * 10 + 51)\n") || ran.stdout.contains("\n1..\(30 * 10 + 51)\n"))
  }

  @Test("a flat describe of 5,000 checks compiles within three minutes (it took 394 s)")
  func flatFiveThousand() throws {
    var spec = "import InfraSpec\n\ndescribe(\"flat\") {\n"
    for index in 0..<5000 {
      switch index % 4 {
      case 0: spec += "  File(\"/etc/isp-\(index)\").exists()\n"
      case 1: spec += "  File(\"/etc/passwd\").mode(0o644).owner(\"root\")\n"
      case 2: spec += "  Package(\"isp-\(index)\").isNotInstalled()\n"
      default: spec += "  Port(\(1000 + index)).isListening()\n"
      }
    }
    spec += "}\n"
    let root = try CLI.workspace(["flat.swift": spec])
    // A deadline, not a speed figure (that is `bench/run.sh compile`): 180 s is ten times what
    // the split compile takes here and half what the unsplit one took.
    let listed = try CLI.run(["list"], in: root, wrapper: ["timeout", "180"])
    #expect(listed.status == 0, "\(listed.stderr.suffix(2000))")
    #expect(listed.stdout.hasSuffix("6250 checks\n"), "\(listed.stdout.suffix(200))")
    #expect(listed.stdout.contains("Specs/flat.swift:5003:25  flat › port 5999/tcp: is listening\n"))
  }

  @Test("a split copy that does not compile falls back to the spec as written and its own diagnostics")
  func fallback() throws {
    // A type named like the module hides the names the split copy uses (`InfraSpec.Check`):
    // legal Swift the splitter cannot see, so the copy fails and the spec compiles as written.
    var spec = "import InfraSpec\n\nenum InfraSpec {}\n\ndescribe(\"shadow\") {\n"
    for _ in 0..<45 { spec += "  File(\"/etc/passwd\").exists()\n" }
    spec += "}\n"
    #expect(SpecSourceSplitter.split(spec, fileLiteral: "x") != nil)
    let ran = try CLI.run(["run"], in: try CLI.workspace(["f.swift": spec]))
    #expect(ran.status == 0, "\(ran.stdout)\(ran.stderr)")
    #expect(ran.stdout.contains("ok 45 - shadow › file /etc/passwd: exists\n"), "\(ran.stdout)")
    // A real mistake is reported at the user's line, once, without the splitter's names.
    let broken = spec.replacing("enum InfraSpec {}\n", with: "\n").replacing(
      "{\n  File(\"/etc/passwd\").exists()\n  File", with: "{\n  File(\"/etc/passwd\").exists()\n  Fil")
    let failed = try CLI.run(["run"], in: try CLI.workspace(["f.swift": broken]))
    #expect(failed.status == 65)
    #expect(
      failed.stderr.contains("Specs/f.swift:7:3: error: cannot find 'Fil' in scope"), "\(failed.stderr)")
    #expect(failed.stderr.components(separatedBy: "error:").count == 2, "\(failed.stderr)")
    #expect(!failed.stderr.contains("__infraspec_part"))
  }
}

/// What the splitter moves and what it leaves, on sources alone.
@Suite("spec source splitter")
struct SpecSourceSplitterTests {
  static func block(_ statements: [String], header: String = "describe(\"b\") {") -> String {
    "import InfraSpec\n\n\(header)\n" + statements.map { "  " + $0 }.joined(separator: "\n") + "\n}\n"
  }

  static let checks = (0..<60).map { "File(\"/etc/f\($0)\").exists()" }

  @Test("a body under 40 statements is left as written")
  func small() {
    #expect(SpecSourceSplitter.split(Self.block(Array(Self.checks.prefix(39))), fileLiteral: "x") == nil)
  }

  @Test("moved lines keep their text and line; the body keeps its line count")
  func keepsLines() throws {
    let source = Self.block(Self.checks)
    let split = try #require(SpecSourceSplitter.split(source, fileLiteral: "Specs/x.swift"))
    let lines = split.split(separator: "\n", omittingEmptySubsequences: false)
    let original = source.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[3] == "  __infraspec_part_0()")
    #expect(lines[28] == "  __infraspec_part_1()")
    #expect(lines[53] == "  __infraspec_part_2()")
    #expect(lines[original.count - 2] == "}")
    #expect(
      split.contains("#sourceLocation(file: \"Specs/x.swift\", line: 4)\n  File(\"/etc/f0\").exists()\n"))
    #expect(
      split.contains("#sourceLocation(file: \"Specs/x.swift\", line: 54)\n  File(\"/etc/f50\").exists()\n"))
  }

  @Test("a statement over several lines is never cut, whatever its continuation")
  func continuations() throws {
    var statements: [String] = []
    for index in 0..<60 {
      statements += index == 24 ? ["File(\"/a\")", "  .exists()"] : ["File(\"/etc/f\(index)\").exists()"]
      if index == 23 { statements += ["File(\"/etc/\" +", "\"b\").exists()"] }
    }
    let split = try #require(SpecSourceSplitter.split(Self.block(statements), fileLiteral: "x"))
    // The 25th statement (`File("/etc/" +` …) starts on line 28; the part after it starts at the
    // next statement, line 30, not on the continuation lines.
    #expect(split.contains("#sourceLocation(file: \"x\", line: 30)\n  File(\"/a\")\n    .exists()\n"))
  }

  @Test(
    "bodies that declare a name, sit in a closure or a loop, or use what the scan does not follow stay",
    arguments: [
      block(["let owner = \"root\""] + checks),
      block(checks, header: "for path in [\"/a\"] {"),
      "let f = { (p: String) in\n" + block(checks) + "}\n",
      block(checks + ["_ = 1 / 2"]),
      block(checks) + "#if DEBUG\n#endif\n",
      block(checks + ["@unknown"]),
      "import InfraSpec\n\ndescribe(\"b\") {\n  File(\"unterminated).exists()\n}\n",
    ])
  func leftAsWritten(_ source: String) {
    #expect(SpecSourceSplitter.split(source, fileLiteral: "x") == nil)
  }

  @Test("braces inside strings and comments do not move the split")
  func literals() throws {
    let split = try #require(
      SpecSourceSplitter.split(
        Self.block(["Command(\"\\(\"{\")\").exitStatus(0) // }", "/* { */"] + Self.checks), fileLiteral: "x"))
    #expect(split.hasPrefix("import InfraSpec\n\ndescribe(\"b\") {\n  __infraspec_part_0()\n"))
  }
}
