import Foundation

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
enum Shell {
  static func run(
    _ argv: [String], in directory: URL? = nil, environment: [String: String] = [:], stdin: String? = nil
  ) throws -> CLI.Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = argv
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes concurrently so neither fills up and blocks the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CLI.Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
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
