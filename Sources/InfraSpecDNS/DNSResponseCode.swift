@_spi(Runner) internal import InfraSpecCore

/// A DNS response code, including the EDNS0 extended bits.
public struct DNSResponseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
  /// The 12-bit code (4 bits in the header, 8 more in the OPT record).
  public let rawValue: UInt16

  /// Wraps a response code.
  public init(rawValue: UInt16) {
    self.rawValue = rawValue
  }

  /// No error.
  public static let noError = DNSResponseCode(rawValue: 0)
  /// The server could not parse the query.
  public static let formatError = DNSResponseCode(rawValue: 1)
  /// The server failed to answer (also: DNSSEC validation failed at a resolver).
  public static let serverFailure = DNSResponseCode(rawValue: 2)
  /// The name does not exist.
  public static let nameError = DNSResponseCode(rawValue: 3)
  /// The server does not implement this kind of query.
  public static let notImplemented = DNSResponseCode(rawValue: 4)
  /// The server refuses to answer.
  public static let refused = DNSResponseCode(rawValue: 5)

  private static let names: [UInt16: String] = [
    0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED", 6: "YXDOMAIN",
    7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE", 16: "BADVERS", 23: "BADCOOKIE",
  ]

  /// The mnemonic dig prints (`NXDOMAIN`).
  public var description: String {
    Self.names[rawValue] ?? "RCODE\(rawValue)"
  }
}
