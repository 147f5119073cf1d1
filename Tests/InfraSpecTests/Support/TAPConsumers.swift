import Foundation

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecDNS
@testable import InfraSpecSockets
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// Three TAP consumers nobody here wrote: Perl's `prove`, tap.py (PyPI) and Debian's
/// node-tap-parser. Each says whether a stream passes, and whether it could parse it at all.
enum TAPConsumers {
  struct Verdict: CustomStringConvertible {
    var consumer: String
    var passed: Bool
    /// The consumer complained about the stream's shape, not about its tests. prove says "No plan
    /// found" after a bail-out too; that is how it fails a bailed-out stream, not a parse error.
    var parseError: Bool
    /// The consumer saw the `Bail out!`.
    var bailedOut: Bool
    var output: String

    var description: String {
      "\(consumer): passed=\(passed) parseError=\(parseError) bailedOut=\(bailedOut)\n\(output)"
    }
  }

  /// Every consumer's verdict on `tap`; a consumer that is missing is a setup error (scripts/test.sh
  /// installs them all).
  /// `judge` on a thread of its own: three external programs must not hold a cooperative-pool
  /// thread the in-memory tests need.
  static func judgeOffPool(_ tap: String) async throws -> [Verdict] {
    try await ChildProcess.offPool { Result { try judge(tap) } }.get()
  }

  static func judge(_ tap: String) throws -> [Verdict] {
    let file = NSTemporaryDirectory() + "infraspec-\(UUID().uuidString).tap"
    try tap.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }

    let prove = try Shell.run(["prove", "--verbose", "--exec", "cat", file])
    let proveText = prove.stdout + prove.stderr
    // tap.py's consumer (`tappy`), called through the interpreter so PATH does not matter.
    let python = try Shell.run(
      ["python3", "-c", "import sys; from tap.main import main; sys.exit(main(sys.argv))", file])
    let pythonText = python.stdout + python.stderr
    guard !pythonText.contains("No module named tap") && !pythonText.contains("Optional imports not found")
    else {
      throw SetupError(
        "tap.py with YAML support is missing: run scripts/test.sh (pip install 'tap.py[yaml]')")
    }
    let node = try Shell.run(
      ["sh", "-c", "tap-parser -j 0 < \"$1\"", "sh", file], environment: ["NODE_PATH": "/usr/share/nodejs"])
    let nodeText = node.stdout + node.stderr
    guard node.status == 0 || nodeText.contains("\"complete\"") else {
      throw SetupError("node-tap-parser is missing or broken (apt-get install node-tap-parser): \(nodeText)")
    }
    return [
      Verdict(
        consumer: "prove", passed: prove.status == 0 && proveText.contains("Result: PASS"),
        parseError: proveText.contains("Parse errors") && !proveText.contains("Bailout called"),
        bailedOut: proveText.contains("Bailout called"), output: proveText),
      Verdict(
        consumer: "tap.py", passed: python.status == 0,
        parseError: pythonText.contains("A plan must appear") || pythonText.contains("Unknown")
          || pythonText.contains("must have a plan"), bailedOut: pythonText.contains("Bailed: "),
        output: pythonText),
      Verdict(
        consumer: "node-tap-parser", passed: node.status == 0,
        parseError: nodeText.contains("tapError") || nodeText.contains("\"extra\""),
        bailedOut: nodeText.contains("[\"bailout\""), output: nodeText),
    ]
  }
}
