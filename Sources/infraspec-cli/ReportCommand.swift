internal import ArgumentParser

/// `infraspec report`: work with saved JSON reports.
struct ReportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report", abstract: "Work with saved JSON reports.", subcommands: [Merge.self])
}
