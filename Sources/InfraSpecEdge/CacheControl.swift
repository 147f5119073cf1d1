@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports

/// A `Cache-Control` header read as directives (RFC 9111): `public, max-age=60, stale-if-error=86400`.
package struct CacheControl: Sendable, Equatable {
  /// Lowercased names, with their value (quotes removed) when one was given.
  var directives: [(name: String, value: String?)]

  package init(_ header: String) {
    directives = []
    var rest = Substring(header)
    while !rest.isEmpty {
      var name = ""
      while let character = rest.first, character != ",", character != "=" {
        name.append(character)
        rest.removeFirst()
      }
      var value: String?
      if rest.first == "=" {
        rest.removeFirst()
        rest = rest.drop { $0 == " " || $0 == "\t" }
        var text = ""
        if rest.first == "\"" {
          rest.removeFirst()
          while let character = rest.first, character != "\"" {
            rest.removeFirst()
            if character == "\\", let escaped = rest.first {
              text.append(escaped)
              rest.removeFirst()
            } else {
              text.append(character)
            }
          }
          rest = rest.drop { $0 != "," }
        } else {
          while let character = rest.first, character != "," {
            text.append(character)
            rest.removeFirst()
          }
        }
        value = text.trimmingWhitespace()
      }
      if rest.first == "," { rest.removeFirst() }
      let trimmed = name.trimmingWhitespace().lowercased()
      if !trimmed.isEmpty { directives.append((trimmed, value)) }
    }
  }

  package static func == (left: CacheControl, right: CacheControl) -> Bool {
    left.directives.map { "\($0.name)=\($0.value ?? "")" }
      == right.directives.map { "\($0.name)=\($0.value ?? "")" }
  }

  package func has(_ name: String) -> Bool { directives.contains { $0.name == name.lowercased() } }

  /// A delta-seconds directive's value (`max-age=60` → 60); nil when absent or not a number.
  package func seconds(_ name: String) -> Int64? {
    directives.first { $0.name == name.lowercased() }?.value.flatMap { Int64($0) }
  }
}
