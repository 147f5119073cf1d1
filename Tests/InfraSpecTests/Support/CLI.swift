import Foundation

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// Runs the built `infraspec` binary in a scratch folder, the way a user would.
struct CLI {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// The folder holding the test bundle also holds `infraspec` and `libInfraSpec.so`.
  static let binDirectory: URL = {
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: executable).deletingLastPathComponent()
  }()

  static var infraspec: String { binDirectory.appendingPathComponent("infraspec").path }

  /// One cache for the whole test run: compiled specs are reused across tests, as for users.
  static let cacheDirectory: String = {
    let path = NSTemporaryDirectory() + "infraspec-test-cache-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  /// A fresh folder with `Specs/<name>` files written into it.
  static func workspace(_ specs: [String: String]) throws -> URL {
    let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
      "infraspec-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    for (name, source) in specs {
      let file = root.appendingPathComponent("Specs").appendingPathComponent(name)
      try FileManager.default.createDirectory(
        at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
      try source.write(to: file, atomically: true, encoding: .utf8)
    }
    return root
  }

  /// Runs `infraspec arguments…` in `directory` (optionally wrapped, e.g. in `ip netns exec`).
  static func run(
    _ arguments: [String], in directory: URL, wrapper: [String] = [], environment: [String: String] = [:]
  ) throws -> Result {
    try Shell.run(
      wrapper + [infraspec] + arguments, in: directory,
      environment: ["XDG_CACHE_HOME": cacheDirectory].merging(environment) { $1 })
  }
}

/// Runs programs for test setup and for independent consumers (`prove`, `xmllint`).
///
/// Through InfraSpec's own `posix_spawn` child runner, not Foundation's `Process`: with several
/// children alive, `Process.waitUntilExit` here sometimes never saw its child exit.
enum Shell {
  static func run(
    _ argv: [String], in directory: URL? = nil, environment: [String: String] = [:], stdin: String? = nil
  ) throws -> CLI.Result {
    // GNU env sets the working directory and variables, so the spawn itself needs neither.
    let prefix =
      ["env"] + (directory.map { ["-C", $0.path] } ?? [])
      + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    let command = ProbeCommand(prefix + argv, stdin: Array((stdin ?? "").utf8))
    switch ChildProcess.run(command, timeout: .seconds(600)) {
    case .success(let output):
      return CLI.Result(
        status: output.exitStatus, stdout: String(decoding: output.stdout, as: UTF8.self),
        stderr: String(decoding: output.stderr, as: UTF8.self))
    case .failure(let error):
      throw SetupError("\(argv.joined(separator: " ")): \(error.message)")
    }
  }

  /// Runs a setup command and fails loudly when it fails: a test never runs on a half-made fixture.
  @discardableResult
  static func must(_ argv: [String]) throws -> String {
    let result = try run(argv)
    guard result.status == 0 else {
      throw SetupError("\(argv.joined(separator: " ")) exited \(result.status): \(result.stderr)")
    }
    return result.stdout
  }
}

struct SetupError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Feeds TAP to Perl's `prove` (a consumer nobody here wrote) and returns its verdict text.
enum Prove {
  static func check(_ tap: String) throws -> (status: Int32, output: String) {
    let file = NSTemporaryDirectory() + "infraspec-\(UUID().uuidString).tap"
    try tap.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let result = try Shell.run(["prove", "--verbose", "--exec", "cat", file])
    return (result.status, result.stdout + result.stderr)
  }
}

/// Runs blocking `work` (an external program, a fixture's setup) on a thread of its own: a test
/// that blocks a cooperative-pool thread stalls every in-memory test meanwhile (2 threads on a
/// 2-core CI machine).
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
  try await ChildProcess.offPool { Result { try work() } }.get()
}
