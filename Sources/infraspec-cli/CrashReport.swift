internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec

#if canImport(Glibc)
  internal import Glibc
#endif

/// What the Swift runtime said when the spec binary died: its `Fatal error:` message and the first
/// backtrace frame in one of the user's spec files, read from the end of its stderr.
struct CrashReport {
  /// ` : Fatal error: Index out of range at Specs/x.swift:5`, or empty when nothing was said.
  var summary: String
  /// The runtime's message and backtrace, for reports that show more than one line.
  var detail: String?

  init(stderr: String, specs: [String]) {
    let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    let message = lines.lazy.compactMap { line -> String? in
      guard let range = line.firstRange(of: "Fatal error:") else { return nil }
      let text = line[range.lowerBound...].trimming([" ", "\t"])
      return text.hasSuffix(":") ? String(text.dropLast()) : text
    }.first
    var place: String?
    // Backtrace frames read `… at /abs/Specs/x.swift:5:14`; runtime messages `Specs/x.swift:5: Fatal…`.
    search: for line in lines {
      for spec in specs {
        guard let range = line.firstRange(of: spec + ":") else { continue }
        let before: Character =
          range.lowerBound == line.startIndex ? " " : line[line.index(before: range.lowerBound)]
        guard before == " " || before == "/" else { continue }
        let digits = line[range.upperBound...].prefix { $0.isNumber }
        guard !digits.isEmpty else { continue }
        place = "\(spec):\(digits)"
        break search
      }
    }
    summary =
      (message.map { ": \($0)" } ?? "") + (place.map { " at \($0)" } ?? "")
    let kept = lines.suffix(60)
    detail = kept.isEmpty ? nil : kept.joined(separator: "\n")
  }
}
