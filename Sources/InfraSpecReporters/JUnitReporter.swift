@_spi(Runner) public import InfraSpecCore
@_spi(Runner) internal import InfraSpecPlatform

/// JUnit XML as Jenkins, GitLab and Ant's JUnitReport read it, written whole when the run ends.
///
/// One `<testsuite>` per host, one `<testcase>` per check: `classname` is the host (as Jenkins'
/// package) and the describe path, dots in either written `_` because Jenkins splits a classname
/// at its last dot; `name` the subject and title, with its spec line when two cases of a suite
/// would share a name. Test cases carry `file` and `line` (what GitLab and the GitHub report
/// actions link with); `strict` leaves them out, because the Jenkins xUnit and Ant schemas allow no
/// other attributes. An unreachable host is one test case with an `<error>`; a check an
/// interrupted run never finished is one too, so the counts add up to what was planned.
@_spi(Runner)
public struct JUnitReporter: Reporter {
  let output: OutputStream
  /// Only what both schemas allow: no `file` and `line` attributes.
  let strict: Bool
  private var record = RunRecord()

  /// Writes the document to `output` when the run finishes.
  public init(output: OutputStream = .standardOutput, strict: Bool = false) {
    self.output = output
    self.strict = strict
  }

  public mutating func report(_ event: Event) {
    report(event, at: .now())
  }

  public mutating func report(_ event: Event, at time: Timestamp) {
    record.record(event, at: time)
    guard case .runFinished = event else { return }
    output.write(Self.document(record, strict: strict))
    output.finish()
  }

  static func document(_ record: RunRecord, strict: Bool = false) -> String {
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
    var suites = record.suites
    // A run that stopped with nothing left to list (it did not compile, it crashed before any
    // check) is still one error, so CI shows why.
    if let abort = record.abort, abort.unfinished.isEmpty {
      var suite = RunRecord.Host(name: "infraspec", started: record.started)
      suite.failure = abort.detail.map { "\(abort.reason)\n\($0)" } ?? abort.reason
      suite.finished = record.started.adding(milliseconds: record.durationMilliseconds)
      suites.append(suite)
    }
    for (id, host) in suites.enumerated() {
      xml += suite(host, unfinished: record.unfinished(of: host.name), id: id, strict: strict)
    }
    return xml + "</testsuites>\n"
  }

  private static func suite(_ host: RunRecord.Host, unfinished: [CheckResult], id: Int, strict: Bool)
    -> String
  {
    var cases = ""
    var counts = Summary()
    if let failure = host.failure {
      counts.couldNotCheck += 1
      let title = host.name == "infraspec" ? "the run did not finish" : "could not check the host"
      cases +=
        "    <testcase name=\"\(title)\" classname=\"\(attribute(classname(host.name, [])))\" time=\"0.000\">\n"
      cases += "      <error message=\"\(attribute(failure))\" type=\"could not check\">"
      cases += "\(text("\(host.name): could not check: \(failure)"))</error>\n    </testcase>\n"
    }
    let results = host.results + unfinished
    for (result, name) in zip(results, uniqueNames(results)) {
      counts.count(result.outcome)
      cases += testCase(result, name: name, strict: strict)
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

  /// `subject: title`, unique within the suite: two checks with the same title get their spec
  /// location, two on the same line also their number.
  static func uniqueNames(_ results: [CheckResult]) -> [String] {
    func duplicated(_ names: [String]) -> Set<String> {
      var seen: [String: Int] = [:]
      for name in names { seen[name, default: 0] += 1 }
      return Set(seen.filter { $0.value > 1 }.keys)
    }
    var names = results.map { "\($0.subject): \($0.title)" }
    let plain = duplicated(names)
    for index in names.indices where plain.contains(names[index]) {
      names[index] += " (\(results[index].location))"
    }
    let located = duplicated(names)
    for index in names.indices where located.contains(names[index]) {
      names[index] = String(names[index].dropLast()) + ", check \(results[index].number))"
    }
    return names
  }

  /// `lax1_pop_example_net.edge PoP › dns`: the host is the package Jenkins shows, the describe
  /// path the class; no other dot, since Jenkins splits at the last one.
  static func classname(_ host: String, _ groups: [String]) -> String {
    func undotted(_ text: String) -> String { String(text.map { $0 == "." ? "_" : $0 }) }
    let path = groups.isEmpty ? "checks" : groups.map(undotted).joined(separator: " › ")
    return "\(undotted(host)).\(path)"
  }

  private static func testCase(_ result: CheckResult, name: String, strict: Bool) -> String {
    var open =
      "    <testcase name=\"\(attribute(name))\""
      + " classname=\"\(attribute(classname(result.host, result.groups)))\""
      + " time=\"\(seconds(result.durationMilliseconds))\""
    if !strict {
      open += " file=\"\(attribute(result.location.file))\" line=\"\(result.location.line)\""
    }
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
