@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) public import InfraSpecReporters

/// The reporters one command writes with: one on stdout, one per `--report` file.
@_spi(Runner)
public enum ReportOutputs {
  /// The reporter for `format` on stdout, then one per target, each file made or emptied now.
  ///
  /// Only the first GitHub reporter appends to the job summary (`GITHUB_STEP_SUMMARY` in
  /// `environment`), so asking for GitHub output twice does not print the table twice.
  public static func reporters(
    stdout format: OutputFormat, color: Bool, reports: [ReportTarget], environment: [String: String],
    verbose: Bool = false, view: HumanView? = nil
  ) throws(ReportError) -> [any Reporter] {
    var stepSummaryPath = environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 }
    func reporter(_ format: OutputFormat, _ output: OutputStream, color: Bool) -> any Reporter {
      defer { if format == .github { stepSummaryPath = nil } }
      return make(
        format, output, color: color, stepSummaryPath: stepSummaryPath, verbose: verbose, view: view)
    }
    var reporters = [reporter(format, .standardOutput, color: color)]
    // A human report in a file is not wrapped: no terminal shows it.
    let unwrapped = view.map { HumanView(verbose: $0.verbose, failuresOnly: $0.failuresOnly) }
    for target in reports {
      reporters.append(
        make(
          target.format, try .file(atPath: target.path), color: false, stepSummaryPath: stepSummaryPath,
          verbose: verbose, view: unwrapped))
      if target.format == .github { stepSummaryPath = nil }
    }
    return reporters
  }

  /// One reporter of `format` writing to `output`.
  static func make(
    _ format: OutputFormat, _ output: OutputStream, color: Bool, stepSummaryPath: String?,
    verbose: Bool = false, view: HumanView? = nil
  ) -> any Reporter {
    switch format {
    case .tap: TAPReporter(output: output)
    case .human:
      HumanReporter(
        output: output, color: color, progress: .standardError, view: view ?? HumanView(verbose: verbose))
    case .junit: JUnitReporter(output: output)
    case .junitStrict: JUnitReporter(output: output, strict: true)
    case .json: JSONReporter(output: output)
    case .github: GitHubReporter(output: output, stepSummaryPath: stepSummaryPath)
    }
  }
}
