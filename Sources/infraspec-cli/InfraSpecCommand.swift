internal import ArgumentParser

/// `infraspec`: check hosts against spec files.
@main
struct InfraSpecCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "infraspec",
    abstract: "Test-driven infrastructure: check hosts against Swift spec files.",
    discussion: exitCodes,
    version: Version.text,
    subcommands: [
      RunCommand.self, ListCommand.self, BuildCommand.self, ReportCommand.self, InitCommand.self,
      CacheCommand.self, ZoneCommand.self, CaptureCommand.self,
    ]
  )

  static let exitCodes = """
    Exit codes: 0 all checks passed, 1 a check failed, 2 a check could not be checked,
    3 nothing was checked, 64 usage error, 65 a spec file does not compile, 69 no usable Swift
    toolchain, 70 the spec crashed, 74 a report could not be written, 77 the spec cache is not
    writable or not yours alone, 130 interrupted (what finished is still reported).
    """

  /// A binary made by `infraspec build` is this program with specs built in: it runs them.
  static func main() async {
    if ChecksCommand.builtIn != nil {
      await ChecksCommand.main(nil)
    } else {
      await main(nil)
    }
  }
}
