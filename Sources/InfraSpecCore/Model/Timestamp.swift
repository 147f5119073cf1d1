/// A wall-clock time in UTC, as reports print it; replayed reports carry the recorded ones.
@_spi(Runner)
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  /// Milliseconds since 1970-01-01T00:00:00Z.
  public var millisecondsSince1970: Int64

  /// The time `millisecondsSince1970` after the Unix epoch.
  public init(millisecondsSince1970: Int64) {
    self.millisecondsSince1970 = millisecondsSince1970
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.millisecondsSince1970 < rhs.millisecondsSince1970
  }

  /// `2026-11-29T17:01:11.123Z`: ISO 8601 in UTC, to the millisecond.
  public var description: String {
    let (date, seconds, milliseconds) = parts
    return "\(date)T\(seconds).\(String(milliseconds).leftPadded(to: 3))Z"
  }

  /// `2026-11-29T17:01:11`: UTC to the second with no zone, as Ant's JUnit schema demands.
  package var secondsWithoutZone: String {
    let (date, seconds, _) = parts
    return "\(date)T\(seconds)"
  }

  /// The time `milliseconds` later.
  package func adding(milliseconds: Double) -> Timestamp {
    let bounded = milliseconds.isFinite ? min(max(milliseconds, -3e16), 3e16) : 0
    return Timestamp(millisecondsSince1970: millisecondsSince1970 &+ Int64(bounded.rounded()))
  }

  /// Milliseconds from `earlier` to this time, never negative (a wall clock can step back).
  package func milliseconds(since earlier: Timestamp) -> Double {
    Double(max(0, millisecondsSince1970 - earlier.millisecondsSince1970))
  }

  private var parts: (date: String, time: String, milliseconds: Int64) {
    let (days, dayMilliseconds) = millisecondsSince1970.floorDivided(by: 86_400_000)
    let (year, month, day) = Self.civil(fromDays: days)
    let second = dayMilliseconds / 1000
    func two(_ value: Int64) -> String { String(value).leftPadded(to: 2) }
    return (
      "\(String(year).leftPadded(to: 4))-\(two(month))-\(two(day))",
      "\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))",
      dayMilliseconds % 1000
    )
  }

  /// Reads `description`'s form; the fraction is optional and may have 1 to 9 digits.
  init?(iso8601 text: String) {
    let characters = Array(text.utf8)
    func number(_ range: Range<Int>) -> Int64? {
      guard range.upperBound <= characters.count else { return nil }
      var value: Int64 = 0
      for byte in characters[range] {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
        value = value * 10 + Int64(byte - UInt8(ascii: "0"))
      }
      return value
    }
    func byte(_ index: Int, is expected: Character) -> Bool {
      index < characters.count && characters[index] == expected.asciiValue
    }
    guard let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"),
      let day = number(8..<10), byte(10, is: "T"), let hour = number(11..<13), byte(13, is: ":"),
      let minute = number(14..<16), byte(16, is: ":"), let second = number(17..<19),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var index = 19
    var milliseconds: Int64 = 0
    if byte(index, is: ".") {
      let digits = characters[(index + 1)...].prefix { (48...57).contains($0) }.count
      guard (1...9).contains(digits), let fraction = number((index + 1)..<(index + 1 + min(digits, 3)))
      else { return nil }
      milliseconds = fraction * [100, 10, 1][min(digits, 3) - 1]
      index += 1 + digits
    }
    guard byte(index, is: "Z"), index + 1 == characters.count else { return nil }
    let days = Self.days(fromCivil: year, month, day)
    self.init(
      millisecondsSince1970: ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milliseconds)
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let timestamp = Timestamp(iso8601: text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "expected a UTC time like 2026-11-29T17:01:11.123Z, got \(text)")
    }
    self = timestamp
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  // Howard Hinnant's days_from_civil and civil_from_days: the proleptic Gregorian calendar.
  package static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
    let shiftedYear = month <= 2 ? year - 1 : year
    let (era, yearOfEra) = shiftedYear.floorDivided(by: 400)
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let (era, dayOfEra) = (days + 719_468).floorDivided(by: 146_097)
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}

extension Int64 {
  /// Quotient rounded down and a remainder that is never negative, for dates before 1970.
  fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
    let remainder = ((self % divisor) + divisor) % divisor
    return ((self - remainder) / divisor, remainder)
  }
}
