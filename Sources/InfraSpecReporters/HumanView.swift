/// How the terminal view is laid out: what it leaves out and where it wraps.
public struct HumanView: Sendable, Codable, Equatable {
  /// Passing checks also show what they found (`--verbose`); in a fleet, every host is listed.
  public var verbose = false
  /// Only what did not pass (`--failures-only`); a fleet of more than `fleetThreshold` hosts
  /// gets this view by default.
  public var failuresOnly = false
  /// Columns to wrap at; nil: never wrap (output that is not a terminal, unless `COLUMNS` says).
  public var columns: Int?

  /// Hosts above which a fleet view lists only hosts that did not pass.
  public static let fleetThreshold = 10

  /// The default view: everything, unwrapped.
  public init(verbose: Bool = false, failuresOnly: Bool = false, columns: Int? = nil) {
    self.verbose = verbose
    self.failuresOnly = failuresOnly
    self.columns = columns
  }

  /// `text` as lines of at most `columns`, the first after `lead`, the others after `hanging`
  /// spaces, broken at spaces (a word longer than a line is cut). Newlines in `text` start a new
  /// line at `hanging` too, keeping their own leading spaces (a diff's `-`/`+`).
  func wrap(_ text: String, lead: Int, hanging: Int) -> [String] {
    var lines: [String] = []
    for (index, paragraph) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let start = index == 0 ? lead : hanging
      guard let columns, columns - start >= 20, paragraph.count > columns - start else {
        lines.append(String(paragraph))
        continue
      }
      var current = ""
      var width = columns - start
      for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
        var word = Substring(word)
        if !current.isEmpty && current.count + 1 + word.count > width {
          lines.append(current)
          current = ""
          width = columns - hanging
        }
        while word.count > width {
          // No space to break at (a digest, a long path): cut it.
          let room = current.isEmpty ? width : width - current.count - 1
          if room <= 0 {
            lines.append(current)
            current = ""
            width = columns - hanging
            continue
          }
          current += (current.isEmpty ? "" : " ") + word.prefix(room)
          word = word.dropFirst(room)
          lines.append(current)
          current = ""
          width = columns - hanging
        }
        current += (current.isEmpty ? "" : " ") + word
      }
      lines.append(current)
    }
    return lines
  }
}
