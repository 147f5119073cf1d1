internal import ArgumentParser
internal import Foundation
@_spi(Runner) internal import InfraSpec

extension ReportCommand {
  /// `infraspec report merge`: the JSON reports of shards (or separate runs) as one report.
  struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Merge JSON reports (from --report json=PATH) into one report in any format.",
      discussion: "Exits like `infraspec run` would have for the merged results.")

    @Argument(help: "JSON reports written by `infraspec run --report json=PATH`.")
    var paths: [String] = []

    @Option(
      help: "Output on stdout: tap (default when piped), human (default on a terminal), junit, json, github.")
    var format: OutputFormat?

    @OptionGroup var reports: ReportOptions

    func validate() throws {
      guard !paths.isEmpty else { throw ValidationError("name at least one JSON report to merge") }
    }

    func run() async throws {
      let terminal = InfraSpec.OutputStream.standardOutput.isTerminal
      let environment = ProcessInfo.processInfo.environment
      let summary: Summary
      do {
        summary = try ReportMerge.merge(paths: paths) { () throws(ReportError) in
          try ReportOutputs.reporters(
            stdout: format ?? (terminal ? .human : .tap),
            color: terminal && (environment["NO_COLOR"] ?? "").isEmpty, reports: reports.targets,
            environment: environment)
        }
      } catch {
        InfraSpec.OutputStream.standardError.write("infraspec: \(error.message)\n")
        throw ArgumentParser.ExitCode(InfraSpec.ExitCode.usage.rawValue)
      }
      throw ArgumentParser.ExitCode(summary.exitCode.rawValue)
    }
  }
}
