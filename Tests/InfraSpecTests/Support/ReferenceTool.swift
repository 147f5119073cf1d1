import Foundation

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

  /// Runs the tool, or `program` (a shell that calls the tool) when given, with `arguments`,
  /// feeding `input` on stdin, and returns stdout; a non-zero exit is a failure carrying stderr.
  func run(_ arguments: [String], program: String? = nil, input: String = "") throws -> String {
    guard let toolPath = path else {
      throw Failure(description: "\(name) is not installed: run `apt-get install \(package)`")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program ?? toolPath)
    process.arguments = arguments
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // Write and read on separate threads so neither pipe fills up and blocks the other side.
    let writer = Thread {
      stdin.fileHandleForWriting.write(Data(input.utf8))
      try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let errors = ErrorCollector(stderr.fileHandleForReading)
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let diagnostics = errors.text()
    guard process.terminationStatus == 0 else {
      throw Failure(description: "\(name) exited with \(process.terminationStatus): \(diagnostics)")
    }
    return String(decoding: output, as: UTF8.self)
  }
}

/// Drains a pipe in the background and hands over everything it read.
private final class ErrorCollector: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var data = Data()

  init(_ handle: FileHandle) {
    Thread {
      self.data = handle.readDataToEndOfFile()
      self.done.signal()
    }.start()
  }

  func text() -> String {
    done.wait()
    return String(decoding: data, as: UTF8.self)
  }
}
