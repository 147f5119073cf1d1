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

/// The local transport answers `cat`, `readlink` and the stat script in process; these must print
/// exactly what the real commands print, or a check would pass locally and fail over SSH.
@Suite("native commands match coreutils")
struct NativeCommandsTests {
  static let folder: String = {
    let path = NSTemporaryDirectory() + "isp-native-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path + "/dir", withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: path + "/file; rm -rf x", contents: Data("a\u{0}b\n".utf8))
    FileManager.default.createFile(atPath: path + "/secret", contents: Data())
    chmod(path + "/secret", 0o4640)
    chown(path + "/secret", 4242, 4242)
    chmod(path + "/dir", 0o1755)
    try? FileManager.default.createSymbolicLink(atPath: path + "/link", withDestinationPath: "file; rm -rf x")
    try? FileManager.default.createSymbolicLink(atPath: path + "/dangling", withDestinationPath: "nowhere")
    return path
  }()

  static let paths =
    [
      "/etc/passwd", "/etc/shadow", "/tmp", "/bin/sh", "/proc/sys/kernel/ostype", "/nonexistent",
      "/etc/passwd/child", "/nonexistent/deeper/x", "relative-missing",
    ] + ["dir", "file; rm -rf x", "secret", "link", "dangling"].map { folder + "/" + $0 }

  @Test("same stdout, stderr and exit status as the real command", arguments: paths)
  func sameAsCoreutils(_ path: String) throws {
    for argv in [
      FileProbe.stat(path).argv, ["cat", "--", path], ["cat", path], ["readlink", "--", path],
    ] where !(argv[0] == "cat" && path.hasSuffix("dir")) {
      let native = try #require(NativeCommands.answer(ProbeCommand(argv))).get()
      let real = try ChildProcess.run(ProbeCommand(argv), timeout: .seconds(10)).get()
      #expect(native == real, "\(argv): native \(native) vs real \(real)")
    }
  }

  @Test("other forms are left to the real programs")
  func otherForms() {
    #expect(NativeCommands.answer(ProbeCommand(["cat", "-A", "/etc/passwd"])) == nil)
    #expect(NativeCommands.answer(ProbeCommand(["stat", "-L", "/etc/passwd"])) == nil)
    #expect(NativeCommands.answer(ProbeCommand(["cat", "/etc/passwd"], stdin: [1])) == nil)
  }

  /// Runs `body` on a thread of its own and gives up after `seconds`: a probe that blocks
  /// forever must fail the test, not hang the suite.
  static func withinSeconds<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () -> T) -> T? {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Thread {
      box.value = body()
      done.signal()
    }.start()
    return done.wait(timeout: .now() + seconds) == .success ? box.value : nil
  }

  final class ResultBox<T>: @unchecked Sendable { var value: T? }

  @Test("a FIFO is refused at once: reading its content never waits for a writer (issue 9 item 6)")
  func fifoDoesNotBlock() async throws {
    let fifo = Self.folder + "/fifo-\(UUID().uuidString.prefix(8))"
    #expect(mkfifo(fifo, 0o644) == 0)
    defer { unlink(fifo) }
    let answer = Self.withinSeconds(5) { NativeCommands.answer(ProbeCommand(["cat", "--", fifo])) }
    let finished = try #require(answer, "cat of a FIFO blocked")
    let output = try #require(finished).get()
    #expect(output.exitStatus == 1)
    #expect(output.stderrText.contains("not a regular file"))

    // Through the runner: a content check on a FIFO fails, saying what is there. A probe that
    // waited for a writer would end as "timed out" (a could-not-check) instead, so the message
    // itself proves it did not wait; no wall-clock bound needed.
    let checks = File(fifo).contains("x").__chain.checks
    var options = RunOptions()
    options.probeTimeoutSeconds = 10
    let messages = await ProbeFamilyTests.messages(checks, on: LocalTransport(), options: options)
    #expect(
      messages == [
        "file \(fifo): content: expected a regular file to contain \"x\", got a special file, whose content is not read"
      ])
  }

  @Test("a directory's content is a failure that says so, not a could-not-check")
  func directoryContent() async {
    let checks = File("/tmp").contains("x").sha256("00").__chain.checks
    let messages = await ProbeFamilyTests.messages(checks, on: LocalTransport())
    #expect(
      messages == [
        "file /tmp: content: expected a regular file to contain \"x\", got a directory, whose content is not read",
        "file /tmp: sha256: expected a regular file 00, got a directory, whose content is not read",
      ])
  }

  @Test("the stat probe decides 'does not exist' by exit status: a name that reads like an error is data")
  func statDecidesByStatus() throws {
    let folder = Self.folder + "/private-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let tricky = folder + "/No such file"
    FileManager.default.createFile(atPath: tricky, contents: Data())
    chmod(folder, 0o700)
    chmod(Self.folder, 0o755)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // As `nobody` the directory cannot be searched: the real script (what SSH runs) must say so.
    let asNobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    for path in [tricky, folder + "/missing"] {
      let command = FileProbe.stat(path)
      let output = try ChildProcess.run(ProbeCommand(asNobody + command.argv), timeout: .seconds(10)).get()
      #expect(output.exitStatus == 4, "\(path): \(output)")
      #expect(throws: ProbeError.self) { try FileProbe.parseStat(output, path: path, command: command) }
    }
    let missing = try ChildProcess.run(
      ProbeCommand(asNobody + FileProbe.stat("/nonexistent/x").argv), timeout: .seconds(10)
    ).get()
    #expect(missing.exitStatus == 3)
    // As root the file is there, native and real alike.
    let native = try #require(NativeCommands.answer(FileProbe.stat(tricky))).get()
    #expect(native.exitStatus == 0)
  }
}
