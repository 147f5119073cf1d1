/// JUnit XML as Jenkins, GitLab and Ant's JUnitReport read it, written whole when the run ends.
///
/// One `<testsuite>` per host, one `<testcase>` per check: `classname` is the host and describe
/// path, `name` the subject and title. The document validates against both the Jenkins xUnit
/// schema and Ant's strict one, which allow no `file` or `line` on a test case, so the spec
/// location is in the failure text. An unreachable host is one test case with an `<error>`.
public struct JUnitReporter: Reporter {
  let output: OutputStream
  private var record = RunRecord()

  /// Writes the document to `output` when the run finishes.
  public init(output: OutputStream = .standardOutput) {
    self.output = output
  }

  public mutating func report(_ event: Event) {
    report(event, at: .now())
  }

  public mutating func report(_ event: Event, at time: Timestamp) {
    record.record(event, at: time)
    if case .runFinished = event { output.write(Self.document(record)) }
  }

  static func document(_ record: RunRecord) -> String {
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
    for (id, host) in record.suites.enumerated() { xml += suite(host, id: id) }
    return xml + "</testsuites>\n"
  }

  private static func suite(_ host: RunRecord.Host, id: Int) -> String {
    var cases = ""
    var counts = Summary()
    if let failure = host.failure {
      counts.couldNotCheck += 1
      cases +=
        "    <testcase name=\"could not check the host\" classname=\"\(attribute(host.name))\" time=\"0.000\">\n"
      cases += "      <error message=\"\(attribute(failure))\" type=\"could not check\">"
      cases += "\(text("\(host.name): could not check: \(failure)"))</error>\n    </testcase>\n"
    }
    for result in host.results {
      counts.count(result.outcome)
      cases += testCase(result)
    }
    // Ant's schema wants a non-empty hostname; a host always has a name, but a report is data.
    let name = host.name.trimmingWhitespace().isEmpty ? "localhost" : host.name
    let properties =
      host.profile.map { profile in
        [
          ("os", profile.osName), ("family", profile.family.rawValue),
          ("service-manager", profile.serviceManager.rawValue),
        ]
      } ?? []
    var xml = "  <testsuite name=\"\(attribute(name))\" package=\"\(attribute(name))\" id=\"\(id)\""
    xml += " tests=\"\(counts.total)\" failures=\"\(counts.failed)\" errors=\"\(counts.couldNotCheck)\""
    xml += " skipped=\"\(counts.skipped)\" time=\"\(seconds(host.durationMilliseconds))\""
    xml += " timestamp=\"\(host.started.secondsWithoutZone)\" hostname=\"\(attribute(name))\">\n"
    if properties.isEmpty {
      xml += "    <properties/>\n"
    } else {
      xml += "    <properties>\n"
      for (key, value) in properties {
        xml += "      <property name=\"\(key)\" value=\"\(attribute(value))\"/>\n"
      }
      xml += "    </properties>\n"
    }
    return xml + cases + "    <system-out/>\n    <system-err/>\n  </testsuite>\n"
  }

  private static func testCase(_ result: CheckResult) -> String {
    let classname = ([result.host] + result.groups).joined(separator: " › ")
    let open =
      "    <testcase name=\"\(attribute("\(result.subject): \(result.title)"))\""
      + " classname=\"\(attribute(classname))\" time=\"\(seconds(result.durationMilliseconds))\""
    var details = ""
    switch result.outcome {
    case .passed:
      return open + "/>\n"
    case .skipped(let reason):
      return open + ">\n      <skipped message=\"\(attribute(reason))\"/>\n    </testcase>\n"
    case .failed(let expected, let actual):
      details = "wanted: \(expected)\nfound: \(actual)\n"
    case .couldNotCheck(let reason):
      details = "reason: \(reason)\n"
    }
    details += "at: \(result.location)\nhost: \(result.host)\n"
    if !result.probes.isEmpty { details += "probe: \(result.probes.joined(separator: "\n  "))\n" }
    let element = result.outcome.isFailure ? "failure" : "error"
    return open + ">\n      <\(element) message=\"\(attribute(result.message))\""
      + " type=\"\(result.outcome.word)\">\(text(details))</\(element)>\n    </testcase>\n"
  }

  /// Plain decimal seconds to the millisecond: no exponent, no grouping, never negative.
  static func seconds(_ milliseconds: Double) -> String {
    // Past a million years is a broken clock, not a duration; clamping keeps the conversion safe.
    let whole = milliseconds.isFinite && milliseconds > 0 ? Int64(min(milliseconds, 3e16).rounded()) : 0
    return "\(whole / 1000).\(String(whole % 1000).leftPadded(to: 3))"
  }

  /// Character data: markup escaped, CR kept as a reference (parsers turn a raw CR into LF).
  static func text(_ value: String) -> String {
    escape(value, extra: [:])
  }

  /// An attribute value: also quotes, and tab, LF and CR as references so they survive
  /// attribute-value normalization.
  static func attribute(_ value: String) -> String {
    escape(value, extra: ["\"": "&quot;", "\t": "&#9;", "\n": "&#10;"])
  }

  private static func escape(_ value: String, extra: [Unicode.Scalar: String]) -> String {
    var result = ""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\r": result += "&#13;"
      case _ where extra[scalar] != nil: result += extra[scalar]!
      case "\t", "\n": result.unicodeScalars.append(scalar)
      // XML 1.0 has no way to write these: show C0 controls as their Unicode pictures (␛ for ESC).
      case _ where scalar.value < 0x20: result.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value)!)
      case "\u{FFFE}", "\u{FFFF}": result += "\u{FFFD}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }
}

extension Outcome {
  /// Whether the host answered and differs from the spec (not "could not check").
  var isFailure: Bool {
    if case .failed = self { true } else { false }
  }
}
