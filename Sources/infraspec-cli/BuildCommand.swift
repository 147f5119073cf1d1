internal import ArgumentParser
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecReporters

#if canImport(Glibc)
  internal import Glibc
#endif

/// `infraspec build`: the specs and everything that runs them in one executable to carry.
struct BuildCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "build",
    abstract: "Compile spec files into one self-contained executable that takes `infraspec run`'s flags.",
    discussion: """
      The Swift runtime, libssh2 and OpenSSL are linked in statically: the program runs on any
      Debian 12 or Ubuntu 22.04+ machine of the same architecture, with no toolchain.
      """)

  @Argument(help: "Spec files or folders (default: Specs/). Specs/Support/ holds shared helpers.")
  var paths: [String] = []

  @Option(name: [.customShort("o"), .customLong("output")], help: "The executable to write.")
  var output: String

  func run() async throws {
    let files = try SpecOptions.specFiles(paths)
    do {
      try await StaticLink.build(files, to: output)
    } catch  where error.isSpecError {
      OutputStream.standardError.write(error.message)
      throw ExitCode(error.exitCode)
    } catch {
      throw Failure.exit(error.message, code: error.exitCode)
    }
    print("built \(output) from \(files.specs.map(\.path).joined(separator: ", "))")
  }
}
