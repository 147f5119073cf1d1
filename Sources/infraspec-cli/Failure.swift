internal import ArgumentParser
internal import Foundation

/// Errors that are not mistakes in the command line: the message alone, no usage text after it.
enum Failure {
  /// Prints `infraspec: message` on stderr; throw the result to exit with `code`.
  static func exit(_ message: String, code: Int32 = 64) -> ExitCode {
    FileHandle.standardError.write(Data("infraspec: \(message)\n".utf8))
    return ExitCode(code)
  }
}
