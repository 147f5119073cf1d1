/// Literal and regular-expression matching of command output and file content, with failure
/// texts short enough for one line.
package enum TextMatch {
  /// Quotes a value and shows control characters, so `"a\n"` and `"a"` read differently.
  package static func show(_ text: String, limit: Int = 80) -> String {
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

  package static func contains(_ needle: String, in haystack: String) -> Verdict {
    haystack.contains(needle)
      ? .pass : .fail(expected: "to contain \(show(needle))", actual: near(needle, in: haystack))
  }

  package static func matches(_ pattern: String, in haystack: String) -> Verdict {
    let regex: Regex<AnyRegexOutput>
    do {
      regex = try Regex(pattern).anchorsMatchLineEndings()
    } catch {
      return .cannotCheck("invalid regular expression /\(pattern)/: \(error)")
    }
    // The pattern's literal characters find the lines a near miss is on.
    let literal = String(pattern.unicodeScalars.filter { !"\\^$.*+?()[]{}|".unicodeScalars.contains($0) })
    return haystack.contains(regex)
      ? .pass : .fail(expected: "to match /\(pattern)/", actual: near(literal, in: haystack))
  }

  /// Equality after dropping the trailing newline every command prints; a long mismatch names
  /// the first line that differs, as a short `-`/`+` diff.
  package static func equals(_ expected: String, _ actual: String) -> Verdict {
    var trimmed = Substring(actual)
    while trimmed.last == "\n" || trimmed.last == "\r\n" { trimmed = trimmed.dropLast() }
    guard expected != trimmed else { return .pass }
    let (shownExpected, shownActual) = (show(expected), show(String(trimmed)))
    guard shownExpected.hasSuffix("characters)") || shownActual.hasSuffix("characters)") else {
      return .fail(expected: shownExpected, actual: shownActual)
    }
    let wanted = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let found = trimmed.split(separator: "\n", omittingEmptySubsequences: false)
    let index =
      zip(wanted, found).enumerated().first { $0.element.0 != $0.element.1 }?.offset
      ?? min(wanted.count, found.count)
    let minus = index < wanted.count ? " -\(show(String(wanted[index])))" : " -(no line)"
    let plus = index < found.count ? " +\(show(String(found[index])))" : " +(no line)"
    return .fail(
      expected: shownExpected,
      actual: "\(found.count) lines differing from line \(index + 1) on:\(minus)\(plus)")
  }

  /// The whole text when short; otherwise the lines most like `needle`, with their numbers.
  static func near(_ needle: String, in haystack: String) -> String {
    let whole = show(haystack)
    guard whole.hasSuffix("characters)") else { return whole }
    let key = String(needle.split(separator: "\n").first ?? "")
    let wanted = bigrams(key)
    var best: [(score: Double, number: Int, line: Substring)] = []
    // The search is bounded so a failure on a huge value (an 8 MiB body of one line) costs
    // milliseconds, not seconds: each line is compared by its first 1024 characters, and lines
    // past the first 4 MiB are not compared at all.
    var scanned = 0
    for (offset, line) in haystack.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      guard scanned < 4 << 20 else { break }
      scanned += line.utf8.count + 1
      let found = bigrams(line.prefix(1024))
      guard !wanted.isEmpty, !found.isEmpty else { continue }
      let score = Double(2 * wanted.intersection(found).count) / Double(wanted.count + found.count)
      guard score > 0 else { continue }
      best.append((score, offset + 1, line))
      best.sort { $0.score > $1.score || ($0.score == $1.score && $0.number < $1.number) }
      if best.count > 2 { best.removeLast() }
    }
    guard !best.isEmpty else { return "no line like it in \(haystack.count) characters" }
    return "no match in \(haystack.count) characters; closest: "
      + best.sorted { $0.number < $1.number }.map { "line \($0.number) \(show(String($0.line)))" }
      .joined(separator: ", ")
  }

  private static func bigrams(_ text: some StringProtocol) -> Set<String> {
    let characters = Array(text.lowercased().filter { !$0.isWhitespace })
    guard characters.count > 1 else { return characters.isEmpty ? [] : [String(characters)] }
    return Set((0..<characters.count - 1).map { String(characters[$0...$0 + 1]) })
  }
}
