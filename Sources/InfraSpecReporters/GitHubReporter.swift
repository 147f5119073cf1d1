@_spi(Runner) public import InfraSpecCore
@_spi(Runner) internal import InfraSpecPlatform

/// GitHub Actions workflow commands: an `::error` annotation on the spec line of each failed check,
/// `::warning` for each one that could not be checked, and a Markdown table in the job summary.
///
/// GitHub shows only a few annotations per step, so after ten one `::notice` says how many more
/// there are; failures come before warnings, because they are what a reader must act on.
@_spi(Runner)
public struct GitHubReporter: Reporter {
  let output: OutputStream
  let stepSummaryPath: String?
  private var record = RunRecord()

  static let annotationLimit = 10
  /// Problems listed in the job summary, which GitHub caps at 1 MiB per step.
  static let summaryListLimit = 100

  /// Writes annotations to `output` when the run finishes and, given the path GitHub puts in
  /// `GITHUB_STEP_SUMMARY`, appends the Markdown summary to that file.
  public init(output: OutputStream = .standardOutput, stepSummaryPath: String?) {
    self.output = output
    self.stepSummaryPath = stepSummaryPath
  }

  public mutating func report(_ event: Event) {
    report(event, at: .now())
  }

  public mutating func report(_ event: Event, at time: Timestamp) {
    record.record(event, at: time)
    guard case .runFinished(let summary, let milliseconds) = event else { return }
    output.write(Self.annotations(record) + "\(summary.line) in \(TAPReporter.seconds(milliseconds)) s\n")
    output.finish()
    guard let stepSummaryPath else { return }
    do {
      try OutputStream.append(Self.markdown(record), toFileAtPath: stepSummaryPath)
    } catch {
      OutputStream.standardError.write("infraspec: cannot write the GitHub job summary: \(error.message)\n")
    }
  }

  static func annotations(_ record: RunRecord) -> String {
    var errors: [String] = []
    var warnings: [String] = []
    if let abort = record.abort {
      errors.append("::error title=\(property("the run did not finish"))::\(data(abort.line))\n")
    }
    for host in record.suites {
      if let failure = host.failure {
        warnings.append(
          "::warning title=\(property("\(host.name): could not check the host"))"
            + "::\(data("\(host.name): could not check: \(failure)"))\n")
      }
      // One cause (a lost connection, a missing tool) is one warning per host, not one per check.
      var byReason: [(reason: String, results: [CheckResult])] = []
      for result in host.results {
        let place =
          "file=\(property(result.location.file)),line=\(result.location.line)"
          + ",col=\(result.location.column),title=\(property("\(result.host) › \(result.name)"))"
        switch result.outcome {
        case .failed: errors.append("::error \(place)::\(data(result.message))\n")
        case .couldNotCheck(let reason):
          if let index = byReason.firstIndex(where: { $0.reason == reason }) {
            byReason[index].results.append(result)
          } else {
            byReason.append((reason, [result]))
          }
        case .passed, .skipped: break
        }
      }
      for (reason, results) in byReason {
        let first = results[0]
        let title =
          results.count == 1
          ? "\(first.host) › \(first.name)" : "\(first.host): \(results.count) checks could not check"
        let message =
          results.count == 1
          ? first.message : "\(first.host): \(results.count) checks could not check: \(reason)"
        warnings.append(
          "::warning file=\(property(first.location.file)),line=\(first.location.line)"
            + ",col=\(first.location.column),title=\(property(title))::\(data(message))\n")
      }
    }
    let all = errors + warnings
    var text = all.prefix(annotationLimit).joined()
    if all.count > annotationLimit {
      let more = all.count - annotationLimit
      text +=
        "::notice::\(more) more problem\(more == 1 ? " is" : "s are") not annotated; the report lists them all\n"
    }
    return text
  }

  static func markdown(_ record: RunRecord) -> String {
    var text = "### InfraSpec: \(record.summary.line)\n\n"
    if let abort = record.abort { text += "**The run did not finish:** \(markdown(abort.line))\n\n" }
    text += "| Host | Passed | Failed | Could not check | Skipped |\n| :--- | ---: | ---: | ---: | ---: |\n"
    for host in record.suites {
      let counts = host.summary
      text +=
        "| \(markdown(host.name)) | \(counts.passed) | \(counts.failed) | \(counts.couldNotCheck) "
        + "| \(counts.skipped) |\n"
    }
    var failures: [String] = []
    var unchecked: [String] = []
    for host in record.suites {
      if let failure = host.failure { unchecked.append("**\(markdown(host.name))**: \(markdown(failure))") }
      for result in host.results {
        let line =
          "**\(markdown(result.host))** \(markdown("\(result.location)")): \(markdown(result.message))"
        switch result.outcome {
        case .failed: failures.append(line)
        case .couldNotCheck: unchecked.append(line)
        case .passed, .skipped: break
        }
      }
    }
    for (heading, lines) in [("Failed", failures), ("Could not check", unchecked)] where !lines.isEmpty {
      text += "\n#### \(heading)\n\n" + lines.prefix(summaryListLimit).map { "- \($0)\n" }.joined()
      if lines.count > summaryListLimit { text += "- … and \(lines.count - summaryListLimit) more\n" }
    }
    return text + "\n"
  }

  /// A workflow command's message: `%`, CR and LF encoded so the message stays one command.
  static func data(_ value: String) -> String {
    encode(value, ["%": "%25", "\r": "%0D", "\n": "%0A"])
  }

  /// A workflow command's property value: also `:` and `,`, which end a property.
  static func property(_ value: String) -> String {
    encode(value, ["%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"])
  }

  /// Scalar by scalar, because CR LF is one Swift `Character` and would slip past a `Character` match.
  private static func encode(_ value: String, _ codes: [Unicode.Scalar: String]) -> String {
    var result = ""
    for scalar in value.unicodeScalars {
      if let code = codes[scalar] {
        result += code
      } else if scalar.isControl {
        // A terminal renders the log: no escape from a host may reach it raw.
        result += scalar.visible
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// Markdown inline text: one line, punctuation that formats or links escaped, no raw HTML.
  static func markdown(_ value: String) -> String {
    var result = ""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "&", "#", "!":
        result += "\\"
        result.unicodeScalars.append(scalar)
      case "\n", "\r", "\t": result += " "
      case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += "\u{FFFD}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }
}
