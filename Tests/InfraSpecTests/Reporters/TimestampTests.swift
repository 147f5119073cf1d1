import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters
@_spi(Runner) @testable import InfraSpecPlatform

@Suite("timestamps")
struct TimestampTests {
  @Test(
    "UTC ISO 8601 to the millisecond, read back exactly",
    arguments: [
      (0, "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00"),
      (1_795_971_671_123, "2026-11-29T17:01:11.123Z", "2026-11-29T17:01:11"),
      (951_782_400_000, "2000-02-29T00:00:00.000Z", "2000-02-29T00:00:00"),
      (-1, "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59"),
      (253_402_300_799_999, "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59"),
    ] as [(Int64, String, String)])
  func roundTrip(milliseconds: Int64, text: String, withoutZone: String) {
    let time = Timestamp(millisecondsSince1970: milliseconds)
    #expect(time.description == text)
    #expect(time.secondsWithoutZone == withoutZone)
    #expect(Timestamp(iso8601: text) == time)
  }

  @Test("a fraction of any length is read to the millisecond; anything else is refused")
  func parsing() {
    #expect(Timestamp(iso8601: "2026-11-29T17:01:11Z")?.millisecondsSince1970 == 1_795_971_671_000)
    #expect(Timestamp(iso8601: "2026-11-29T17:01:11.5Z")?.millisecondsSince1970 == 1_795_971_671_500)
    #expect(Timestamp(iso8601: "2026-11-29T17:01:11.123456789Z")?.millisecondsSince1970 == 1_795_971_671_123)
    for bad in [
      "", "2026-11-29", "2026-11-29T17:01:11", "2026-11-29T17:01:11+01:00", "2026-13-29T17:01:11Z",
      "2026-11-29T24:00:00Z", "2026-11-29T17:01:11.Z", "2026-11-29T17:01:11.1234567890Z",
      "2026-11-29 17:01:11Z",
      "2026-11-29T17:01:11Zjunk", "２026-11-29T17:01:11Z",
    ] {
      #expect(Timestamp(iso8601: bad) == nil, "\(bad)")
    }
  }

  @Test("now is the wall clock to the millisecond: between two readings of Foundation's clock")
  func now() {
    let before = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    let now = Timestamp.now()
    let after = Int64((Date().timeIntervalSince1970 * 1000).rounded(.up))
    #expect(
      before <= now.millisecondsSince1970 && now.millisecondsSince1970 <= after, "\(before) \(now) \(after)")
    // And it prints as that instant: the same day and time Foundation's formatter gives.
    // (A fifth of a millisecond more: the Double's rounding must not show the millisecond before.)
    let instant = Date(timeIntervalSince1970: Double(now.millisecondsSince1970) / 1000 + 0.0002)
    #expect(now.description == Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(instant))
  }
}
