/// Literal and regular-expression matching of command output and file content, with failure
/// texts short enough for one line.
enum TextMatch {
  /// Quotes a value and shows control characters, so `"a\n"` and `"a"` read differently.
  static func show(_ text: String, limit: Int = 80) -> String {
    var shown = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n": shown += "\\n"
      case "\t": shown += "\\t"
      case "\"": shown += "\\\""
      case _ where scalar.value < 0x20: shown += "\\u{\(String(scalar.value, radix: 16))}"
      default: shown.unicodeScalars.append(scalar)
      }
      if shown.count > limit {
        return "\"\(shown.prefix(limit))…\" (\(text.count) characters)"
      }
    }
    return "\"\(shown)\""
  }

  static func contains(_ needle: String, in haystack: String) -> Verdict {
    haystack.contains(needle)
      ? .pass : .fail(expected: "to contain \(show(needle))", actual: show(haystack))
  }

  static func matches(_ pattern: String, in haystack: String) -> Verdict {
    let regex: Regex<AnyRegexOutput>
    do {
      regex = try Regex(pattern).anchorsMatchLineEndings()
    } catch {
      return .cannotCheck("invalid regular expression /\(pattern)/: \(error)")
    }
    return haystack.contains(regex)
      ? .pass : .fail(expected: "to match /\(pattern)/", actual: show(haystack))
  }

  /// Equality after dropping the trailing newline every command prints.
  static func equals(_ expected: String, _ actual: String) -> Verdict {
    var trimmed = Substring(actual)
    while trimmed.last == "\n" || trimmed.last == "\r\n" { trimmed = trimmed.dropLast() }
    return expected == trimmed ? .pass : .fail(expected: show(expected), actual: show(String(trimmed)))
  }
}
