@_spi(Runner) public import InfraSpecCore

/// The terminal view: one line per check as it finishes, then every failure with the
/// `file:line:column:` editors jump to, then one summary line.
///
/// With several hosts, checks are not listed as they finish (hosts interleave): progress goes to
/// stderr instead, and failures are printed grouped by host at the end.
@_spi(Runner)
public struct HumanReporter: Reporter {
  let output: OutputStream
  let color: Bool
  let progress: OutputStream
  /// Passing checks also show what was found.
  let verbose: Bool
  private var multipleHosts = false
  private var hosts: [String] = []
  private var finished: [String: Summary] = [:]
  private var problemsByHost: [String: [(text: String, style: Style)]] = [:]
  private var fleet: [CheckResult] = []
  /// The describe titles printed last, so each group heading is printed once.
  private var openGroups: [String] = []
  private var problems: [(text: String, style: Style)] = []
  private var abort: RunAbort?

  /// `color`: ANSI colours; callers pass false when not on a TTY or when `NO_COLOR` is set.
  public init(
    output: OutputStream = .standardOutput, color: Bool, progress: OutputStream = .standardError,
    verbose: Bool = false
  ) {
    self.output = output
    self.color = color
    self.progress = progress
    self.verbose = verbose
  }

  public mutating func report(_ event: Event) {
    // A hostile host's escapes must not reach the terminal: no window titles, no cleared screens.
    switch event.escapingControls(keepingNewlines: true) {
    case .runStarted(let hosts, _):
      multipleHosts = hosts.count > 1
      self.hosts = hosts
    case .hostStarted(let host, let profile):
      openGroups = []
      if !multipleHosts { output.write(paint("\(host) (\(profile.osName))", .bold) + "\n") }
    case .fleetCheckFinished(let result):
      // With several hosts, the per-host verdicts come first (at the end of the run), then these.
      fleet.append(result)
    case .checkFinished(let result) where multipleHosts:
      if let problem = Self.problem(result) { problemsByHost[result.host, default: []].append(problem) }
    case .checkFinished(let result):
      let shared = zip(openGroups, result.groups).prefix { $0 == $1 }.count
      for (depth, title) in result.groups.enumerated().dropFirst(shared) {
        output.write(String(repeating: "  ", count: depth + 1) + paint(title, .bold) + "\n")
      }
      openGroups = result.groups
      show(result, indent: String(repeating: "  ", count: result.groups.count + 1))
    case .hostFailed(let host, let reason):
      if multipleHosts {
        problemsByHost[host, default: []].append(("could not check the host: \(reason)", .yellow))
      } else {
        output.write("  " + paint("?", .yellow) + " \(host): could not check the host\n")
        problems.append(("\(host): could not check: \(reason)", .yellow))
      }
    case .hostFinished(let host, let summary):
      finished[host] = summary
      if multipleHosts { reportProgress(lastHost: host, summary: summary) }
    case .hostFleetValues:
      break
    case .runAborted(let abort):
      self.abort = abort
    case .runFinished(let summary, let milliseconds):
      if multipleHosts { reportHosts() }
      if !fleet.isEmpty { output.write(paint("fleet", .bold) + "\n") }
      for result in fleet { show(result, indent: "  ") }
      if !problems.isEmpty {
        output.write("\n" + problems.map { paint($0.text, $0.style) + "\n" }.joined())
      }
      if let abort { output.write("\n" + paint("the run did not finish: \(abort.line)", .red) + "\n") }
      let tint: Style =
        summary.failed > 0 || abort != nil ? .red : summary.couldNotCheck > 0 ? .yellow : .green
      output.write("\n" + paint("\(summary.line) in \(TAPReporter.seconds(milliseconds)) s", tint) + "\n")
      output.finish()
    }
  }

  /// `[12/20] fra1: 2 failed (3 pending)` on stderr; one line per host, readable in CI logs too.
  private func reportProgress(lastHost: String, summary: Summary) {
    let state =
      summary.failed > 0
      ? paint("\(summary.failed) failed", .red)
      : summary.couldNotCheck > 0
        ? paint("\(summary.couldNotCheck) could not check", .yellow)
        : paint("\(summary.passed) passed", .green)
    let pending = hosts.count - finished.count
    progress.write(
      "[\(finished.count)/\(hosts.count)] \(lastHost): \(state)\(pending > 0 ? " (\(pending) pending)" : "")\n"
    )
  }

  /// Per host in inventory order: a one-line verdict, then that host's failures.
  private func reportHosts() {
    var text = ""
    for host in hosts {
      let summary = finished[host] ?? Summary()
      let problems = problemsByHost[host] ?? []
      let mark =
        problems.isEmpty ? paint("✓", .green) : summary.failed > 0 ? paint("✗", .red) : paint("?", .yellow)
      text += "\(mark) \(paint(host, .bold)): \(summary.line)\n"
      for problem in problems { text += "    " + paint(problem.text, problem.style) + "\n" }
    }
    output.write(text)
  }

  private static func problem(_ result: CheckResult) -> (text: String, style: Style)? {
    switch result.outcome {
    case .failed: ("\(result.location): \(result.message)", .red)
    case .couldNotCheck: ("\(result.location): \(result.message)", .yellow)
    case .passed, .skipped: nil
    }
  }

  private mutating func show(_ result: CheckResult, indent: String) {
    let line = "\(result.subject): \(result.title)"
    switch result.outcome {
    case .passed:
      let found = verbose ? result.found.map { paint(" (found \($0))", .gray) } ?? "" : ""
      output.write(indent + paint("✓", .green) + " \(line)\(found)\n")
    case .skipped(let reason):
      output.write(indent + paint("- \(line) (skipped: \(reason))", .gray) + "\n")
    case .failed:
      output.write(indent + paint("✗", .red) + " \(line)\n")
      problems.append(Self.problem(result)!)
    case .couldNotCheck:
      output.write(indent + paint("?", .yellow) + " \(line)\n")
      problems.append(Self.problem(result)!)
    }
  }

  enum Style: String {
    case bold = "1", red = "31", green = "32", yellow = "33", gray = "90"
  }

  private func paint(_ text: String, _ style: Style) -> String {
    color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
  }
}
