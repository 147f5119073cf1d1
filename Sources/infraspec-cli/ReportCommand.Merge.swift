internal import ArgumentParser
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports

extension ReportCommand {
  /// `infraspec report merge`: the JSON reports of shards (or separate runs) as one report.
  struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Merge JSON reports (from --report json=PATH) into one report in any format.",
      discussion:
        "Exits like `infraspec run` would have for the merged results, recounted from them; "
        + "an interrupted, crashed or uncompiled input is named and makes the merge fail.")

    @Argument(help: "JSON reports written by `infraspec run --report json=PATH`.")
    var paths: [String] = []

    @Option(
      help:
        "Output on stdout: tap (default when piped), human (default on a terminal), junit, junit-strict, json, github."
    )
    var format: OutputFormat?

    @OptionGroup var reports: ReportOptions

    func validate() throws {
      guard !paths.isEmpty else { throw ValidationError("name at least one JSON report to merge") }
    }

    func run() async throws {
      let terminal = InfraSpecReporters.OutputStream.standardOutput.isTerminal
      let environment = ProcessInfo.processInfo.environment
      let merged: ReportMerge.Result
      do {
        merged = try ReportMerge.merge(paths: paths) { () throws(ReportError) in
          try ReportOutputs.reporters(
            stdout: format ?? (terminal ? .human : .tap),
            color: terminal && (environment["NO_COLOR"] ?? "").isEmpty, reports: reports.targets,
            environment: environment)
        }
      } catch {
        InfraSpecReporters.OutputStream.standardError.write("infraspec: \(error.message)\n")
        throw ArgumentParser.ExitCode(InfraSpec.ExitCode.usage.rawValue)
      }
      for line in merged.incomplete {
        InfraSpecReporters.OutputStream.standardError.write("infraspec: not a whole run: \(line)\n")
      }
      let failures = InfraSpecReporters.OutputStream.failures
      if !failures.isEmpty {
        for failure in failures {
          InfraSpecReporters.OutputStream.standardError.write("infraspec: \(failure)\n")
        }
        throw ArgumentParser.ExitCode(InfraSpec.ExitCode.reportNotWritten.rawValue)
      }
      throw ArgumentParser.ExitCode(merged.exitCode.rawValue)
    }
  }
}
