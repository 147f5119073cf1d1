internal import ArgumentParser

/// `infraspec`: check hosts against spec files.
@main
struct InfraSpecCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "infraspec",
    abstract: "Test-driven infrastructure: check hosts against Swift spec files.",
    discussion: """
      Exit codes: 0 all checks passed, 1 a check failed, 2 a check could not be checked,
      64 usage error, 65 a spec file does not compile, 69 no usable Swift toolchain,
      130 interrupted (what finished is still reported).
      """,
    subcommands: [RunCommand.self, ListCommand.self, ReportCommand.self, InitCommand.self, ZoneCommand.self]
  )
}
