/// The terminal view: one line per check as it finishes, then every failure with the
/// `file:line:column:` editors jump to, then one summary line.
public struct HumanReporter: Reporter {
  let output: OutputStream
  let color: Bool
  private var multipleHosts = false
  /// The describe titles printed last, so each group heading is printed once.
  private var openGroups: [String] = []
  private var problems: [(text: String, style: Style)] = []

  /// `color`: ANSI colours; callers pass false when not on a TTY or when `NO_COLOR` is set.
  public init(output: OutputStream = .standardOutput, color: Bool) {
    self.output = output
    self.color = color
  }

  public mutating func report(_ event: Event) {
    switch event {
    case .runStarted(let hosts, _):
      multipleHosts = hosts.count > 1
    case .hostStarted(let host, let profile):
      openGroups = []
      output.write(paint("\(host) (\(profile.osName))", .bold) + "\n")
    case .fleetCheckFinished(let result):
      if openGroups != ["fleet"] {
        output.write(paint("fleet", .bold) + "\n")
        openGroups = ["fleet"]
      }
      show(result, prefix: "", indent: "  ")
    case .checkFinished(let result):
      let prefix = multipleHosts ? "\(result.host): " : ""
      let shared = zip(openGroups, result.groups).prefix { $0 == $1 }.count
      for (depth, title) in result.groups.enumerated().dropFirst(shared) {
        output.write(String(repeating: "  ", count: depth + 1) + paint(title, .bold) + "\n")
      }
      openGroups = result.groups
      show(result, prefix: prefix, indent: String(repeating: "  ", count: result.groups.count + 1))
    case .hostFailed(let host, let reason):
      output.write("  " + paint("?", .yellow) + " \(host): could not check the host\n")
      problems.append(("\(host): could not check: \(reason)", .yellow))
    case .hostFinished:
      break
    case .runFinished(let summary, let milliseconds):
      if !problems.isEmpty {
        output.write("\n" + problems.map { paint($0.text, $0.style) + "\n" }.joined())
      }
      let tint: Style = summary.failed > 0 ? .red : summary.couldNotCheck > 0 ? .yellow : .green
      output.write("\n" + paint("\(summary.line) in \(TAPReporter.seconds(milliseconds)) s", tint) + "\n")
    }
  }

  private mutating func show(_ result: CheckResult, prefix: String, indent: String) {
    let line = "\(prefix)\(result.subject): \(result.title)"
    switch result.outcome {
    case .passed:
      output.write(indent + paint("✓", .green) + " \(line)\n")
    case .skipped(let reason):
      output.write(indent + paint("- \(line) (skipped: \(reason))", .gray) + "\n")
    case .failed:
      output.write(indent + paint("✗", .red) + " \(line)\n")
      problems.append(("\(result.location): \(prefix)\(result.message)", .red))
    case .couldNotCheck:
      output.write(indent + paint("?", .yellow) + " \(line)\n")
      problems.append(("\(result.location): \(prefix)\(result.message)", .yellow))
    }
  }

  enum Style: String {
    case bold = "1", red = "31", green = "32", yellow = "33", gray = "90"
  }

  private func paint(_ text: String, _ style: Style) -> String {
    color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
  }
}
