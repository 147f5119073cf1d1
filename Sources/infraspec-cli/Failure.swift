internal import ArgumentParser
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecReporters

#if canImport(Glibc)
  internal import Glibc
#endif

/// Errors that are not mistakes in the command line: the message alone, no usage text after it.
enum Failure {
  /// Prints `infraspec: message` on stderr; throw the result to exit with `code`.
  static func exit(_ message: String, code: Int32 = 64) -> ArgumentParser.ExitCode {
    OutputStream.standardError.write("infraspec: \(message)\n")
    return ArgumentParser.ExitCode(code)
  }
}
