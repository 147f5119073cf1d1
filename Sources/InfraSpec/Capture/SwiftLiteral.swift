@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge

/// Writes values learned from a host as Swift source that means exactly those values.
///
/// A host is not trusted: a file name may hold quotes, backslashes, newlines, `\(` or terminal
/// escapes. Everything but printable ASCII is written as a `\u{…}` escape, scalar by scalar, so
/// the generated spec compiles, names the same bytes, and shows nothing raw on a terminal.
enum SwiftLiteral {
  /// `"…"`, a single-line string literal holding exactly `value`.
  static func string(_ value: String) -> String {
    var text = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      case "\n": text += "\\n"
      case "\r": text += "\\r"
      case "\t": text += "\\t"
      case "\u{0}": text += "\\0"
      case " "..."~": text.unicodeScalars.append(scalar)
      default: text += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      }
    }
    return text + "\""
  }

  /// A permission mode in octal, as specs write it: `0o640`.
  static func octal(_ mode: Int) -> String { "0o" + String(mode, radix: 8) }

  /// Text for a `//` comment: one line, printable ASCII only, so host data cannot end the comment.
  static func comment(_ value: String) -> String {
    String(
      String.UnicodeScalarView(
        value.unicodeScalars.map { (" "..."~").contains($0) ? $0 : "?" }))
  }
}
