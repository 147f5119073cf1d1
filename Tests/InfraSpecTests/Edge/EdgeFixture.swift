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

/// The nginx edge, hostile servers and GnuPG keys that `Tests/Fixtures/edge/setup.sh` builds,
/// started once per test process.
struct EdgeFixture: Sendable {
  let directory: String
  let values: [String: String]

  /// Runs when nginx is installed, and always under CI=true so a missing nginx fails instead of skipping.
  static var shouldRun: Bool {
    ProcessInfo.processInfo.environment["CI"] == "true" || DNSFixture.which("nginx") != nil
  }

  static let shared: Result<EdgeFixture, DNSFixture.FixtureError> = start()

  static func get() throws -> EdgeFixture { try shared.get() }

  /// The fixture, set up on a thread of its own the first time (see `DNSFixture.ready`).
  static func ready() async throws -> EdgeFixture {
    try await ChildProcess.offPool { shared }.get()
  }

  subscript(key: String) -> String { values[key] ?? "missing \(key) in manifest" }

  func port(_ key: String) -> UInt16 { UInt16(values[key] ?? "") ?? 0 }
  var tlsPort: UInt16 { port("TLS_PORT") }
  var pki: String { self["PKI"] }

  static var script: String {
    DNSFixture.packageRoot.appendingPathComponent("Tests/Fixtures/edge/setup.sh").path
  }

  func stopOrigin() { DNSFixture.run(["bash", Self.script, "stop-origin", directory]) }

  private static func start() -> Result<EdgeFixture, DNSFixture.FixtureError> {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("infraspec-edge-\(UUID().uuidString.prefix(8))").path
    let result = DNSFixture.run(["bash", script, "start", directory, String(getpid())])
    guard result.status == 0 else {
      return .failure(.init(description: "edge setup.sh failed (\(result.status)): \(result.output)"))
    }
    guard let manifest = try? String(contentsOfFile: directory + "/manifest.env", encoding: .utf8) else {
      return .failure(.init(description: "edge setup.sh wrote no manifest.env"))
    }
    var values: [String: String] = [:]
    for line in manifest.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      values[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    cleanupDirectory.withLock { $0 = directory }
    atexit {
      if let directory = EdgeFixture.cleanupDirectory.withLock({ $0 }) {
        _ = DNSFixture.run(["bash", EdgeFixture.script, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
      }
    }
    return .success(EdgeFixture(directory: directory, values: values))
  }

  private static let cleanupDirectory = Mutex<String?>(nil)

  /// Runs `checks` on `transport` (this machine by default) and returns each check's message
  /// (`passed` / the failure grammar) in spec order.
  static func messages(_ checks: [Check], on transport: any Transport = LocalTransport()) async -> [String] {
    let messages = Mutex<[String]>([])
    _ = await HostRunner(transport: transport, checks: checks, options: RunOptions()).run { event in
      if case .checkFinished(let result) = event {
        let line = result.outcome == .passed ? "passed: \(result.subject): \(result.title)" : result.message
        messages.withLock { $0.append(line) }
      }
    }
    return messages.withLock { $0 }
  }
}
