import Foundation

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecDNS
@testable import InfraSpecSockets
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// A package manager's own command, run by tests to check InfraSpec against the real thing.
struct ReferenceTool {
  /// Why a reference tool could not answer.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  let name: String
  /// The Debian package that installs the tool.
  let package: String

  /// Whether the tool is installed, or the run is on CI, where a missing tool must fail.
  var isAvailableOrRequired: Bool {
    ProcessInfo.processInfo.environment["CI"] == "true" || path != nil
  }

  /// The tool's location on `PATH`.
  var path: String? {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
      .split(separator: ":")
    return directories.map { "\($0)/\(name)" }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  /// `run` on a thread of its own, so the tool's run never holds a cooperative-pool thread.
  func runOffPool(_ arguments: [String], program: String? = nil, input: String = "") async throws -> String {
    let tool = self
    return try await ChildProcess.offPool {
      Result { try tool.run(arguments, program: program, input: input) }
    }
    .get()
  }

  /// Runs the tool, or `program` (a shell that calls the tool) when given, with `arguments`,
  /// feeding `input` on stdin, and returns stdout; a non-zero exit is a failure carrying stderr.
  func run(_ arguments: [String], program: String? = nil, input: String = "") throws -> String {
    guard let toolPath = path else {
      throw Failure(description: "\(name) is not installed: run `apt-get install \(package)`")
    }
    let result = ChildProcess.run(
      [program ?? toolPath] + arguments, input: Array(input.utf8), timeout: .seconds(600), ownGroup: true)
    let output: CommandOutput
    do {
      output = try result.get()
    } catch {
      throw Failure(description: "\(name): \(error.message)")
    }
    guard output.exitStatus == 0 else {
      let diagnostics = String(decoding: output.stderr, as: UTF8.self)
      throw Failure(description: "\(name) exited with \(output.exitStatus): \(diagnostics)")
    }
    return String(decoding: output.stdout, as: UTF8.self)
  }
}
