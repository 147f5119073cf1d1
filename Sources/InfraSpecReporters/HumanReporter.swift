@_spi(Runner) public import InfraSpecCore

/// The terminal view: one line per check as it finishes, a failure's detail (with the
/// `file:line:column:` editors jump to) right under its ✗, then one summary line.
///
/// With several hosts, checks are not listed as they finish (hosts interleave): progress goes to
/// stderr instead, and at the end one line per host, each followed by what did not pass there.
/// One problem shared by many checks of a host (a lost connection, sudo refusing) is one line.
@_spi(Runner)
public struct HumanReporter: Reporter {
  let output: OutputStream
  let color: Bool
  let progress: OutputStream
  let view: HumanView
  private var multipleHosts = false
  private var hosts: [String] = []
  private var finished: [String: Summary] = [:]
  private var problemsByHost: [String: [Problem]] = [:]
  private var fleet: [CheckResult] = []
  /// The describe titles printed last, so each group heading is printed once.
  private var openGroups: [String] = []
  /// One host: could-not-check reasons already shown, so a repeated one is not printed again.
  private var shownReasons: Set<String> = []
  /// One host: checks not checked because the connection was lost (reported once, on the host).
  private var lostChecks = 0
  private var lostByHost: [String: Int] = [:]
  private var abort: RunAbort?

  /// What did not pass on a host of a fleet, with how many checks share it.
  private struct Problem {
    var text: String
    var style: Style
    var reason: String?
    var count = 1
  }

  /// `color`: ANSI colours; callers pass false when not on a TTY or when `NO_COLOR` is set.
  public init(
    output: OutputStream = .standardOutput, color: Bool, progress: OutputStream = .standardError,
    verbose: Bool = false
  ) {
    self.init(output: output, color: color, progress: progress, view: HumanView(verbose: verbose))
  }

  /// With `view`: what is left out, where lines wrap.
  public init(output: OutputStream = .standardOutput, color: Bool, progress: OutputStream, view: HumanView) {
    self.output = output
    self.color = color
    self.progress = progress
    self.view = view
  }

  public mutating func report(_ event: Event) {
    // A hostile host's escapes must not reach the terminal: no window titles, no cleared screens.
    switch event.escapingControls(keepingNewlines: true) {
    case .runStarted(let hosts, _):
      multipleHosts = hosts.count > 1
      self.hosts = hosts
    case .hostStarted(let host, let profile):
      openGroups = []
      shownReasons = []
      lostChecks = 0
      if !multipleHosts { output.write(paint("\(host) (\(profile.osName))", .bold) + "\n") }
    case .fleetCheckFinished(let result):
      // With several hosts, the per-host verdicts come first (at the end of the run), then these.
      fleet.append(result)
    case .checkFinished(let result) where multipleHosts:
      note(result)
    case .checkFinished(let result):
      if case .skipped(let reason) = result.outcome, reason.hasPrefix(Self.lostPrefix) {
        lostChecks += 1
        return
      }
      show(result, indent: result.groups.count + 1)
    case .hostFailed(let host, let reason):
      if multipleHosts {
        problemsByHost[host, default: []].append(
          Problem(text: "could not check the host: \(reason)", style: .yellow))
      } else {
        write(mark: ("?", .yellow), "\(host): could not check the host: \(reason)", indent: 1)
      }
    case .hostFinished(let host, let summary):
      finished[host] = summary
      if multipleHosts { reportProgress(lastHost: host, summary: summary) }
      if !multipleHosts && lostChecks > 0 {
        write(
          "\(lostChecks) check\(lostChecks == 1 ? "" : "s") not checked: the connection was lost", .gray,
          indent: 2)
      }
    case .hostFleetValues:
      break
    case .runAborted(let abort):
      self.abort = abort
    case .runFinished(let summary, let milliseconds):
      if multipleHosts { reportHosts() }
      if !fleet.isEmpty { output.write(paint("fleet", .bold) + "\n") }
      openGroups = []
      for result in fleet { show(result, indent: 1, groups: false) }
      if let abort {
        output.write("\n")
        write(
          abort.kind == .failFast ? abort.line : "the run did not finish: \(abort.line)",
          abort.kind == .failFast ? .yellow : .red, indent: 0)
        if abort.kind == .failFast { listNotRun(abort.unfinished) }
      }
      let tint: Style =
        summary.failed > 0 || abort != nil ? .red : summary.couldNotCheck > 0 ? .yellow : .green
      output.write("\n" + paint("\(summary.line) in \(TAPReporter.seconds(milliseconds)) s", tint) + "\n")
      output.finish()
    }
  }

  static let lostPrefix = "the connection to the host was lost"

  /// How many checks `--fail-fast` did not run are named; the rest are one "and N more" line.
  static let notRunShown = 10

  /// What `--fail-fast` left out, one line per check (`file:line: subject: title`), with the
  /// hosts it was planned on when there are several: what to run next, and where it is.
  private func listNotRun(_ unfinished: [CheckResult]) {
    var order: [String] = []
    var hostsOf: [String: [String]] = [:]
    for result in unfinished {
      let key = "\(result.location.file):\(result.location.line): \(result.subject): \(result.title)"
      if hostsOf[key] == nil { order.append(key) }
      hostsOf[key, default: []].append(result.host)
    }
    for key in order.prefix(Self.notRunShown) {
      let on = hostsOf[key] ?? []
      let hosts =
        !multipleHosts || on == ["fleet"]
        ? "" : on.count <= 3 ? " (on \(on.joined(separator: ", ")))" : " (on \(on.count) hosts)"
      write("- \(key)\(hosts)", .gray, indent: 1)
    }
    if order.count > Self.notRunShown {
      write("and \(order.count - Self.notRunShown) more", .gray, indent: 1)
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

  /// A fleet host's problem; one reason shared by several checks is one line with a count.
  private mutating func note(_ result: CheckResult) {
    let reason: String
    switch result.outcome {
    case .failed:
      problemsByHost[result.host, default: []].append(
        Problem(text: "\(result.location): \(result.message)", style: .red))
      return
    case .couldNotCheck(let why): reason = why
    case .skipped(let why) where why.hasPrefix(Self.lostPrefix):
      // The host's "connection lost" line says why; these are counted under it.
      lostByHost[result.host, default: 0] += 1
      return
    case .passed, .skipped: return
    }
    var problems = problemsByHost[result.host, default: []]
    if let index = problems.firstIndex(where: { $0.reason == reason }) {
      problems[index].count += 1
    } else {
      problems.append(Problem(text: "\(result.location): \(result.message)", style: .yellow, reason: reason))
    }
    problemsByHost[result.host] = problems
  }

  /// Per host in inventory order: a one-line verdict, then what did not pass there. In a big
  /// fleet (or with `--failures-only`) hosts where everything passed are one count.
  private mutating func reportHosts() {
    let quiet = !view.verbose && (view.failuresOnly || hosts.count > HumanView.fleetThreshold)
    var passing = 0
    for host in hosts {
      let summary = finished[host] ?? Summary()
      let problems = problemsByHost[host] ?? []
      if problems.isEmpty && quiet {
        passing += 1
        continue
      }
      let mark: (String, Style) =
        problems.isEmpty ? ("✓", .green) : summary.failed > 0 ? ("✗", .red) : ("?", .yellow)
      output.write(paint(mark.0, mark.1) + " \(paint(host, .bold)): \(summary.line)\n")
      for problem in problems {
        let shared = problem.count > 1 ? " (and \(problem.count - 1) more checks, for the same reason)" : ""
        write(problem.text + shared, problem.style, indent: 2)
      }
      if let lost = lostByHost[host] {
        write("\(lost) check\(lost == 1 ? "" : "s") not checked: the connection was lost", .gray, indent: 2)
      }
    }
    if passing > 0 {
      output.write(
        paint("✓", .green) + " \(passing) other host\(passing == 1 ? "" : "s"): every check passed\n")
    }
  }

  private mutating func show(_ result: CheckResult, indent depth: Int, groups: Bool = true) {
    let line = "\(result.subject): \(result.title)"
    switch result.outcome {
    case .passed:
      guard !view.failuresOnly else { return }
      heading(result, groups)
      // What a whole-zone check covered is part of its verdict: always shown.
      let found =
        result.coverage.map { " (\($0))" }
        ?? (view.verbose ? result.found.map { " (found \($0))" } ?? "" : "")
      write(mark: ("✓", .green), line + found, indent: depth)
    case .skipped(let reason):
      guard !view.failuresOnly else { return }
      heading(result, groups)
      write("- \(line) (skipped: \(reason))", .gray, indent: depth)
    case .failed:
      heading(result, groups)
      write(mark: ("✗", .red), line, indent: depth)
      write("\(result.location): \(result.message)", .red, indent: depth + 2)
    case .couldNotCheck(let reason):
      heading(result, groups)
      let repeated = !shownReasons.insert(reason).inserted
      write(mark: ("?", .yellow), line + (repeated ? " (could not check, as above)" : ""), indent: depth)
      if !repeated { write("\(result.location): \(result.message)", .yellow, indent: depth + 2) }
    }
  }

  /// The describe titles not printed yet above this check.
  private mutating func heading(_ result: CheckResult, _ groups: Bool) {
    guard groups else { return }
    let shared = zip(openGroups, result.groups).prefix { $0 == $1 }.count
    for (depth, title) in result.groups.enumerated().dropFirst(shared) {
      write(title, .bold, indent: depth + 1)
    }
    openGroups = result.groups
  }

  /// `text` at `indent` (two spaces each), after `mark` when given, wrapped to the view's width.
  private func write(mark: (String, Style)? = nil, _ text: String, _ style: Style? = nil, indent: Int) {
    let pad = String(repeating: "  ", count: indent)
    let lead = pad.count + (mark == nil ? 0 : 2)
    let lines = view.wrap(text, lead: lead, hanging: lead + 2)
    var out = ""
    for (index, piece) in lines.enumerated() {
      let shown = style.map { paint(piece, $0) } ?? piece
      if index == 0 {
        out += pad + (mark.map { paint($0.0, $0.1) + " " } ?? "") + shown + "\n"
      } else {
        out += String(repeating: " ", count: lead + 2) + shown + "\n"
      }
    }
    output.write(out)
  }

  enum Style: String {
    case bold = "1", red = "31", green = "32", yellow = "33", gray = "90"
  }

  private func paint(_ text: String, _ style: Style) -> String {
    color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
  }
}
