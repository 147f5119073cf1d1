import Foundation
import Synchronization
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// The BIND servers and signed zones that `Tests/Fixtures/dns/setup.sh` builds, started once per test process.
struct DNSFixture: Sendable {
  let directory: String
  let values: [String: String]

  static let parent = "infraspec.test"

  /// Runs when BIND is installed, and always under CI=true so a missing BIND fails instead of skipping.
  static var shouldRun: Bool {
    ProcessInfo.processInfo.environment["CI"] == "true" || which("named") != nil
  }

  static let shared: Result<DNSFixture, FixtureError> = start()

  struct FixtureError: Error, CustomStringConvertible {
    var description: String
  }

  static func get() throws -> DNSFixture {
    try shared.get()
  }

  /// The fixture, its setup.sh (seconds of BIND and signing) run on a thread of its own the first
  /// time: blocking a cooperative-pool thread would stall every other test meanwhile.
  static func ready() async throws -> DNSFixture {
    try await ChildProcess.offPool { shared }.get()
  }

  var now: Int64 { Int64(values["NOW"] ?? "") ?? 0 }
  var port: UInt16 { UInt16(values["PRIMARY_PORT"] ?? "") ?? 0 }
  var secondaryPort: UInt16 { UInt16(values["SECONDARY_PORT"] ?? "") ?? 0 }

  subscript(key: String) -> String {
    values[key] ?? "missing \(key) in manifest"
  }

  func zone(_ label: String) -> DNSName {
    (try? DNSName("\(label).\(Self.parent)")) ?? .root
  }

  func audit(_ label: String) -> DNSSECAudit {
    DNSSECAudit(zone: zone(label), server: "127.0.0.1", port: port, now: now)
  }

  static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
  }

  static var script: String {
    packageRoot.appendingPathComponent("Tests/Fixtures/dns/setup.sh").path
  }

  private static func start() -> Result<DNSFixture, FixtureError> {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("infraspec-dns-\(UUID().uuidString)").path
    let result = run(["bash", script, "start", directory, String(getpid())])
    guard result.status == 0 else {
      return .failure(FixtureError(description: "setup.sh failed (\(result.status)): \(result.output)"))
    }
    guard let manifest = try? String(contentsOfFile: directory + "/manifest.env", encoding: .utf8) else {
      return .failure(FixtureError(description: "setup.sh wrote no manifest.env"))
    }
    var values: [String: String] = [:]
    for line in manifest.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      values[String(line[..<equals])] = String(line[line.index(after: equals)...]).trimmingCharacters(
        in: CharacterSet(charactersIn: "\""))
    }
    cleanupDirectory.withLock { $0 = directory }
    atexit {
      if let directory = DNSFixture.cleanupDirectory.withLock({ $0 }) {
        _ = DNSFixture.run(["bash", DNSFixture.script, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
      }
    }
    return .success(DNSFixture(directory: directory, values: values))
  }

  private static let cleanupDirectory = Mutex<String?>(nil)

  static func which(_ tool: String) -> String? {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
    for directory in paths.split(separator: ":") {
      let path = "\(directory)/\(tool)"
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
  }

  /// `run` on a thread of its own, for async tests: validators and signers take seconds.
  static func runOffPool(_ arguments: [String]) async -> (status: Int32, output: String) {
    await ChildProcess.offPool { run(arguments) }
  }

  /// Runs argv (no shell) and returns its exit status and combined output.
  ///
  /// Not in a process group of its own, so the BIND servers setup.sh starts in the background
  /// outlive it; they hold the output pipe, which `ChildProcess` stops reading once setup.sh exited.
  @discardableResult
  static func run(_ arguments: [String]) -> (status: Int32, output: String) {
    guard let executable = which(arguments.first ?? "") else {
      return (-1, "\(arguments.first ?? "") is not installed")
    }
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = (environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    let result = ChildProcess.run(
      [executable] + arguments.dropFirst(), environment: Subprocess.environment(environment),
      timeout: .seconds(600), ownGroup: false, mergeStderr: true)
    switch result {
    case .success(let output): return (output.exitStatus, String(decoding: output.stdout, as: UTF8.self))
    case .failure(let error): return (-1, "cannot run \(executable): \(error.message)")
    }
  }
}
