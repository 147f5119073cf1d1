internal import ArgumentParser
internal import Foundation
@_spi(Runner) internal import InfraSpec

/// Compiles the specs and replaces this process with the spec binary, so its exit code, signals
/// and streamed output are the run's own.
enum SpecLauncher {
  static func launch(_ files: SpecFiles, request: RunRequest) async throws -> Never {
    let binary: String
    do {
      binary = try await SpecCompiler.locate().executable(for: files)
    } catch {
      OutputStream.standardError.write(error.isSpecError ? error.message : "infraspec: \(error.message)\n")
      throw ExitCode(error.exitCode)
    }
    let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup(binary), strdup(json), nil]
    execv(binary, argv)
    OutputStream.standardError.write(
      "infraspec: cannot start \(binary): \(String(cString: strerror(errno)))\n")
    throw ExitCode(2)
  }
}
