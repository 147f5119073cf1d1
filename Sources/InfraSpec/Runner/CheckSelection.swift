@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// Which checks of the specs a run keeps, besides `--tag`: `file:line`, `--filter` and
/// `--only-failures`. Each given criterion must hold (they narrow one another); several
/// `file:line`s widen among themselves.
public struct CheckSelection: Sendable, Codable, Equatable {
  /// `Specs/pop.swift:12`: the checks made on that line, or every check of a `describe` that
  /// starts there.
  public var lines: [LineSelector] = []
  /// A regular expression searched in each check's full name (describe titles › subject: title).
  public var filter: String?
  /// `--only-failures`: the ids (`CheckSelection.id`) of the last run's failures and could-not-checks.
  public var only: [String]?

  /// Nothing narrowed: every check.
  public init() {}

  /// Whether any criterion is set.
  var isEmpty: Bool { lines.isEmpty && filter == nil && only == nil }

  func selects(_ check: Check) -> Bool {
    if !lines.isEmpty && !lines.contains(where: { $0.selects(check) }) { return false }
    if let filter, let regex = try? Regex(filter), (try? regex.firstMatch(in: check.name)) == nil {
      return false
    }
    if let only, !only.contains(Self.id(check.location, check.title)) { return false }
    return true
  }

  /// What identifies a check from one run to the next: where it is written and what it asserts
  /// (one line can hold several checks: `File(…).isFile().mode(0o644)`).
  public static func id(_ location: SourceLocation, _ title: String) -> String {
    "\(location) \(title)"
  }

  /// Why `checks` (already narrowed by tags) lost every check to this selection, or nil when this
  /// selection is not what emptied it.
  func nothingSelected(_ checks: [Check]) -> String? {
    var remaining = checks
    if !lines.isEmpty {
      remaining = remaining.filter { check in lines.contains { $0.selects(check) } }
      if remaining.isEmpty {
        let shown = lines.map(\.description).joined(separator: ", ")
        let plural = lines.count == 1 ? "" : "s"
        let written = Set(
          checks.filter { c in lines.contains { LineSelector.sameFile(c.location.file, $0.file) } }
            .map(\.location.line)
        ).sorted()
        let hint =
          written.isEmpty
          ? "no check of the specs is in that file"
          : "lines with checks there: \(Self.ranges(written))"
        return "no check is made on line\(plural) \(shown) and no describe starts there (\(hint))"
      }
    }
    if let filter {
      let before = remaining.count
      remaining = remaining.filter { check in
        (try? Regex(filter)).map { (try? $0.firstMatch(in: check.name)) != nil } ?? false
      }
      if remaining.isEmpty {
        return "--filter \(filter) matches none of the \(before) checks' names (describe › subject: title)"
      }
    }
    if let only {
      remaining = remaining.filter { only.contains(Self.id($0.location, $0.title)) }
      if remaining.isEmpty {
        return only.isEmpty
          ? "--only-failures: the last run of these specs had no failures or could-not-checks"
          : "--only-failures: none of the last run's \(only.count) failures is among these checks "
            + "(were the specs edited since?)"
      }
    }
    return nil
  }

  /// `3-5, 9, 12`: the lines that do hold checks, so a mistyped line number is quick to fix.
  static func ranges(_ lines: [Int]) -> String {
    var parts: [String] = []
    var start = lines.first ?? 0
    var last = start
    for line in lines.dropFirst() + [Int.max] {
      if line == last + 1 {
        last = line
        continue
      }
      parts.append(start == last ? "\(start)" : "\(start)-\(last)")
      start = line
      last = line
    }
    return lines.isEmpty ? "" : parts.prefix(12).joined(separator: ", ") + (parts.count > 12 ? ", …" : "")
  }
}

/// `Specs/pop.swift:12` on the command line.
public struct LineSelector: Sendable, Codable, Equatable, CustomStringConvertible {
  /// The spec file as the user wrote it (relative to the current directory when inside it).
  public var file: String
  /// 1-based line.
  public var line: Int

  /// A selector for `line` of `file`.
  public init(file: String, line: Int) {
    self.file = file
    self.line = line
  }

  /// `file:line`, as given.
  public var description: String { "\(file):\(line)" }

  /// `Specs/pop.swift:12` as a path and a line; nil when `text` does not end in `:` and digits.
  public static func split(_ text: String) -> (path: String, line: Int)? {
    guard let colon = text.lastIndex(of: ":") else { return nil }
    let digits = text[text.index(after: colon)...]
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let line = Int(digits), line > 0,
      colon != text.startIndex
    else { return nil }
    return (String(text[..<colon]), line)
  }

  func selects(_ check: Check) -> Bool {
    ([check.location] + check.blocks).contains { $0.line == line && Self.sameFile($0.file, file) }
  }

  /// The same file, also when one side is relative to another folder (a built binary run from
  /// elsewhere names its specs as they were when it was built).
  static func sameFile(_ a: String, _ b: String) -> Bool {
    a == b || a.hasSuffix("/" + b) || b.hasSuffix("/" + a)
  }
}
