import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// Spec statements that used to pass on the wrong thing or vanish: each is run, or reported as
/// what it is, by the built `infraspec` against this machine.
@Suite("spec mistakes are reported, never passed or dropped", .serialized)
struct SpecMistakeTests {
  static let spec = """
    import InfraSpec

    File("/etc/passwd").isFile()

    describe("mistakes") {
      print("plain statements run inside a describe")
      Command("false")
      File("/etc/passwd")
      let unused = File("/etc/hostname").exists()
      File("/etc/passwd\\u{0}x").isFile().mode(0o644)
      File("/etc/passwd").mode(644)
      Package("dpkg").version(">= 1.0")
      Process("isp-no-such").isNotRunning()
      Process("isp-no-such")
    }
    """

  @Test("bare resources, unplaced and top-level checks, NUL names, mode(644) and version(\">= …\")")
  func mistakes() throws {
    let root = try CLI.workspace(["mistakes.swift": Self.spec])
    let result = try CLI.run(["run", "--format", "tap"], in: root)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    let points = result.stdout.split(separator: "\n").filter { $0.hasPrefix("ok") || $0.hasPrefix("not ok") }
    #expect(
      points == [
        "not ok 1 - mistakes › command \"false\": exit status 0",
        "ok 2 - mistakes › file /etc/passwd: exists",
        "not ok 3 - mistakes › file /etc/passwd\\\\0x: is a regular file",
        "ok 4 - mistakes › file /etc/passwd\\\\0x: mode 0644 # SKIP file /etc/passwd\\\\0x: the spec mistake reported above",
        "not ok 5 - mistakes › file /etc/passwd: mode 01204",
        "not ok 6 - mistakes › package dpkg: version >= 1.0",
        "ok 7 - mistakes › process isp-no-such: is not running",
        "not ok 8 - mistakes › process isp-no-such: is running",
        "ok 9 - file /etc/passwd: is a regular file",
        "not ok 10 - file /etc/hostname: exists",
      ], "\(result.stdout)")
    for message in [
      #"message: "command \"false\": exit status: expected 0, got 1""#,
      #"message: "file /etc/passwd\\0x: type: could not check: spec mistake: the name contains a NUL byte (\\0), which no file, user, package or command name on a host can hold; remove it""#,
      #"message: "file /etc/passwd: mode: expected 01204, got 0644 (644 is decimal; write 0o644)""#,
      #"message: "package dpkg: version: could not check: spec mistake: version(\">= 1.0\") compares exactly, it is not a range; write version(atLeast: \"1.0\") or version(below: \"1.0\")""#,
      #"message: "file /etc/hostname: exists: could not check: spec mistake: this check was made inside a describe but is not a statement of it (a value kept in a `let` and never written on a line of its own?); write it as a statement""#,
    ] {
      #expect(result.stdout.contains(message), "\(message)\n\(result.stdout)")
    }
    // A `print` in a spec is a log line: it goes to stderr, and nothing follows the TAP plan.
    #expect(result.stderr.contains("plain statements run inside a describe"))
    #expect(!result.stdout.contains("plain statements run inside a describe"))
    #expect(result.stdout.split(separator: "\n").last == "1..10", "\(result.stdout)")
  }

  @Test("as a non-root user, a file in an unsearchable directory is 'could not check', not absent")
  func doesNotExistAsNobody() throws {
    let privateFolder = NSTemporaryDirectory() + "isp-private-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: privateFolder, withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: privateFolder + "/No such file", contents: Data())
    chmod(privateFolder, 0o700)
    defer { try? FileManager.default.removeItem(atPath: privateFolder) }
    let root = try CLI.workspace([
      "nobody.swift": """
      import InfraSpec

      describe("as nobody") {
        File("\(privateFolder)/No such file").doesNotExist()
        File("/nonexistent-isp/x").doesNotExist()
      }
      """
    ])
    // nobody needs a cache of its own and a workspace it can read.
    let cache = root.path + "/cache"
    try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
    #expect(chown(cache, 65534, 65534) == 0)
    for path in [root.path, root.path + "/Specs"] { chmod(path, 0o755) }
    let result = try CLI.run(
      ["run", "--format", "tap"], in: root,
      wrapper: ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"],
      environment: ["XDG_CACHE_HOME": cache, "HOME": cache])
    #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
    #expect(
      result.stdout.contains("not ok 1 - as nobody › file \(privateFolder)/No such file: does not exist"))
    #expect(
      result.stdout.contains(
        "could not check: cannot look up \(privateFolder)/No such file: a directory on the way cannot be searched"
      ))
    #expect(result.stdout.contains("ok 2 - as nobody › file /nonexistent-isp/x: does not exist"))
  }
}
