import Foundation
import Testing

@testable import InfraSpec

/// The local transport answers `cat`, `readlink` and `stat` in process; these must print exactly
/// what the real coreutils print, or a check would pass locally and fail over SSH.
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
      "/etc/passwd/child",
    ] + ["dir", "file; rm -rf x", "secret", "link", "dangling"].map { folder + "/" + $0 }

  @Test("same stdout, stderr and exit status as the real command", arguments: paths)
  func sameAsCoreutils(_ path: String) throws {
    for argv in [
      ["stat", "-c", NativeCommands.statFormat, "--", path], ["cat", "--", path], ["cat", path],
      ["readlink", "--", path],
    ] where !(argv[0] == "cat" && path.hasSuffix("dir")) {
      let native = try #require(NativeCommands.answer(ProbeCommand(argv)))
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
}
