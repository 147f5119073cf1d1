@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports

/// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete
/// RFC 850 form `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
package enum HTTPDate {
  private static let months = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
  ]

  /// Seconds since the epoch; nil when the text is no HTTP date.
  package static func parse(_ text: String) -> Int64? {
    let words = text.split { $0 == " " || $0 == "," || $0 == "-" }.map(String.init)
    var day: Int64?
    var month: Int64?
    var year: Int64?
    var clock: [Int64]?
    for word in words {
      if word.contains(":") {
        let parts = word.split(separator: ":").compactMap { Int64($0) }
        if parts.count == 3 { clock = parts }
      } else if let index = months.firstIndex(of: word.lowercased()) {
        month = Int64(index + 1)
      } else if let number = Int64(word) {
        if word.count == 4 {
          year = number
        } else if day == nil {
          day = number
        } else {
          year = number < 70 ? 2000 + number : 1900 + number
        }
      }
    }
    guard let day, let month, let year, let clock, (1...31).contains(day), clock[0] < 24, clock[1] < 60,
      clock[2] < 61
    else { return nil }
    return Timestamp.days(fromCivil: year, month, day) * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
  }
}
