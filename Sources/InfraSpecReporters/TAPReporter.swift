@_spi(Runner) public import InfraSpecCore

/// TAP version 13 with YAML diagnostics, as `prove`, Jenkins and tap consumers read it.
///
/// One host: its checks are the test points. Several hosts: one subtest per host (`# Subtest:`,
/// indented four spaces), printed whole when the host finishes, because hosts run concurrently
/// and a subtest's lines must not interleave with another's.
@_spi(Runner)
public struct TAPReporter: Reporter {
  let output: OutputStream
  private var hostCount = 0
  /// Top-level test points so far: host subtests, then fleet assertions.
  private var topLevel = 0
  private var buffers: [String: HostBuffer] = [:]
  /// Hosts in the order they started, and whether their subtest has been written.
  private var order: [String] = []
  private var written: Set<String> = []
  private var abort: RunAbort?

  private struct HostBuffer {
    var lines = ""
    var count = 0
  }

  /// A TAP 13 reporter writing to `output`.
  public init(output: OutputStream = .standardOutput) {
    self.output = output
  }

  public mutating func report(_ event: Event) {
    switch event {
    case .runStarted(let hosts, _):
      hostCount = hosts.count
      output.write("TAP version 13\n")
    case .hostStarted(let host, let profile):
      emit(host, "# \(host): \(profile.osName)\n")
    case .checkFinished(let result):
      var buffer = buffers[result.host, default: HostBuffer()]
      buffer.count += 1
      buffers[result.host] = buffer
      emit(result.host, Self.testPoint(result, number: buffer.count))
    case .hostFailed(let host, let reason):
      buffers[host, default: HostBuffer()].count += 1
      let number = buffers[host]!.count
      let yaml = Self.yaml([
        ("message", .string("\(host): could not check: \(reason)")), ("severity", .string("error")),
        ("host", .string(host)),
      ])
      emit(host, "not ok \(number) - \(Self.escape(host)): could not check the host\n" + yaml)
    case .hostFinished(let host, let summary):
      if hostCount > 1 { writeSubtest(host, ok: summary.failed == 0 && summary.couldNotCheck == 0) }
    case .fleetCheckFinished(let result):
      topLevel += 1
      output.write(Self.testPoint(result, number: topLevel))
    case .hostFleetValues:
      break
    case .runAborted(let abort):
      self.abort = abort
      // What finished on hosts that never finished is reported too, in a subtest that fails.
      if hostCount > 1 {
        for host in order where !written.contains(host) { writeSubtest(host, ok: false) }
      }
    case .runFinished(let summary, let milliseconds):
      // The summary is a comment before the plan: nothing may follow the trailing plan.
      var text = "# \(summary.line) in \(Self.seconds(milliseconds)) s\n"
      if let abort {
        // Consumers must fail the stream: an interrupted run is never a pass.
        text += "Bail out! \(Self.escape(abort.line))\n"
      } else {
        // The plan comes last: the count of fleet assertions and failed hosts is known only now.
        text += "1..\(topLevel)\n"
      }
      output.write(text)
      output.finish()
    }
  }

  /// One host's buffered test points as a subtest with its own plan, then its top-level point.
  private mutating func writeSubtest(_ host: String, ok: Bool) {
    guard written.insert(host).inserted else { return }
    let buffer = buffers[host, default: HostBuffer()]
    topLevel += 1
    let indented = (buffer.lines + "1..\(buffer.count)\n")
      .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
      .map { "    " + $0 }.joined(separator: "\n")
    output.write(
      "# Subtest: \(Self.escape(host))\n\(indented)\n"
        + "\(ok ? "ok" : "not ok") \(topLevel) - \(Self.escape(host))\n")
  }

  private mutating func emit(_ host: String, _ text: String) {
    if !order.contains(host) { order.append(host) }
    if hostCount > 1 {
      buffers[host, default: HostBuffer()].lines += text
    } else {
      // One host: its test points are the top level, counted as they are written, so an
      // interrupted run's plan still matches what was printed.
      topLevel = buffers[host, default: HostBuffer()].count
      output.write(text)
    }
  }

  static func testPoint(_ result: CheckResult, number: Int) -> String {
    let name = escape(result.name)
    switch result.outcome {
    case .passed:
      guard let found = result.found else { return "ok \(number) - \(name)\n" }
      return "ok \(number) - \(name)\n" + yaml([("severity", .string("pass")), ("found", .string(found))])
    case .skipped(let reason):
      return "ok \(number) - \(name) # SKIP \(escape(reason))\n"
    case .failed(let expected, let actual):
      return "not ok \(number) - \(name)\n"
        + yaml(
          [
            ("message", .string(result.message)), ("severity", .string("fail")),
            ("wanted", .string(expected)), ("found", .string(actual)),
          ] + context(result))
    case .couldNotCheck:
      return "not ok \(number) - \(name)\n"
        + yaml([("message", .string(result.message)), ("severity", .string("error"))] + context(result))
    }
  }

  private static func context(_ result: CheckResult) -> [(String, YAMLValue)] {
    [
      (
        "at",
        .map([
          ("file", .string(result.location.file)), ("line", .number(result.location.line)),
          ("column", .number(result.location.column)),
        ])
      ),
      ("host", .string(result.host)),
      ("probe", .string(result.probes.joined(separator: "\n"))),
      ("duration_ms", .number(Int(result.durationMilliseconds.rounded()))),
    ]
  }

  enum YAMLValue {
    case string(String)
    case number(Int)
    case map([(String, YAMLValue)])
  }

  /// A YAML block two spaces in; strings double-quoted with JSON escapes, never folded.
  static func yaml(_ fields: [(String, YAMLValue)]) -> String {
    func render(_ fields: [(String, YAMLValue)], indent: String) -> String {
      fields.map { key, value in
        switch value {
        case .string(let text): "\(indent)\(key): \(quoted(text))\n"
        case .number(let number): "\(indent)\(key): \(number)\n"
        case .map(let inner): "\(indent)\(key):\n" + render(inner, indent: indent + "  ")
        }
      }.joined()
    }
    return "  ---\n" + render(fields, indent: "  ") + "  ...\n"
  }

  /// A double-quoted scalar: the JSON escapes, which YAML 1.1 and 1.2 both read.
  static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      case _ where scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value):
        result += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }

  /// A description on one line, with `#` escaped so it cannot start a directive and control
  /// characters (a hostile host's terminal escapes) written out as `\u{1B}`.
  package static func escape(_ text: String) -> String {
    // Scalar by scalar: CR LF is one `Character`, which a `Character` match for LF would miss.
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": result += "\\\\"
      case "#": result += "\\#"
      case "\n", "\r": result += " "
      case _ where scalar.isControl: result += scalar.visible
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  package static func seconds(_ milliseconds: Double) -> String {
    let hundredths = Int((milliseconds / 10).rounded())
    return "\(hundredths / 100).\(String(hundredths % 100).leftPadded(to: 2))"
  }
}
