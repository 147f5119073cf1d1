@_spi(Runner) internal import InfraSpecCore

/// Text from a host or a spec may carry terminal escapes (`ESC ] 0 ; title BEL` sets a window
/// title, `ESC [ 2 J` clears the screen): every reporter writes control characters as visible
/// text for its medium, never raw.
extension Unicode.Scalar {
  /// C0 controls, DEL and C1 controls (U+0080–U+009F, which some terminals obey as well).
  var isControl: Bool {
    value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value)
  }

  /// `\u{1B}`: how Swift writes the scalar, so a reader can tell exactly what the host sent.
  var visible: String { "\\u{\(String(value, radix: 16, uppercase: true))}" }
}

extension String {
  /// The text with every control character but tab written as `\u{…}`; newlines too, so one
  /// value is one line, unless `keepingNewlines`.
  package func escapingControls(keepingNewlines: Bool = false) -> String {
    var result = ""
    for scalar in unicodeScalars {
      let kept = scalar == "\t" || (keepingNewlines && scalar == "\n")
      if scalar.isControl && !kept { result += scalar.visible } else { result.unicodeScalars.append(scalar) }
    }
    return result
  }
}

extension CheckResult {
  /// Every text the host or the spec gave, with control characters made visible.
  func escapingControls(keepingNewlines: Bool) -> CheckResult {
    func clean(_ text: String) -> String { text.escapingControls(keepingNewlines: keepingNewlines) }
    var copy = self
    copy.host = clean(host)
    copy.groups = groups.map(clean)
    copy.subject = clean(subject)
    copy.property = clean(property)
    copy.title = clean(title)
    copy.location.file = clean(location.file)
    copy.tags = tags.map(clean)
    copy.probes = probes.map(clean)
    copy.found = found.map(clean)
    copy.outcome =
      switch outcome {
      case .passed: .passed
      case .failed(let expected, let actual): .failed(expected: clean(expected), actual: clean(actual))
      case .couldNotCheck(let reason): .couldNotCheck(reason: clean(reason))
      case .skipped(let reason): .skipped(reason: clean(reason))
      }
    return copy
  }
}

extension Event {
  /// The event with every text from a host or a spec made safe for a terminal.
  func escapingControls(keepingNewlines: Bool) -> Event {
    func clean(_ text: String) -> String { text.escapingControls(keepingNewlines: keepingNewlines) }
    func cleanResults(_ results: [CheckResult]) -> [CheckResult] {
      results.map { $0.escapingControls(keepingNewlines: keepingNewlines) }
    }
    switch self {
    case .runStarted(let hosts, let count): return .runStarted(hosts: hosts.map(clean), checksPerHost: count)
    case .hostStarted(let host, var profile):
      profile.osName = clean(profile.osName)
      return .hostStarted(host: clean(host), profile: profile)
    case .checkFinished(let result): return .checkFinished(cleanResults([result])[0])
    case .hostFailed(let host, let reason): return .hostFailed(host: clean(host), reason: clean(reason))
    case .hostFinished(let host, let summary): return .hostFinished(host: clean(host), summary: summary)
    case .hostFleetValues(let host, let values): return .hostFleetValues(host: clean(host), values: values)
    case .fleetCheckFinished(let result): return .fleetCheckFinished(cleanResults([result])[0])
    case .runAborted(var abort):
      abort.reason = clean(abort.reason)
      abort.unfinished = cleanResults(abort.unfinished)
      return .runAborted(abort)
    case .runFinished: return self
    }
  }
}
