@_spi(Runner) internal import InfraSpecCore

/// A DNS resource record type such as `.a`, `.aaaa` or `.mx`.
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The type code on the wire.
  public let rawValue: UInt16

  /// Wraps a type code; unknown codes print as `TYPE1234` (RFC 3597).
  public init(rawValue: UInt16) {
    self.rawValue = rawValue
  }

  /// IPv4 address.
  public static let a = DNSRecordType(rawValue: 1)
  /// Authoritative name server.
  public static let ns = DNSRecordType(rawValue: 2)
  /// Canonical name (alias).
  public static let cname = DNSRecordType(rawValue: 5)
  /// Start of authority.
  public static let soa = DNSRecordType(rawValue: 6)
  /// Pointer, for reverse lookups.
  public static let ptr = DNSRecordType(rawValue: 12)
  /// Mail exchanger.
  public static let mx = DNSRecordType(rawValue: 15)
  /// Text strings.
  public static let txt = DNSRecordType(rawValue: 16)
  /// IPv6 address.
  public static let aaaa = DNSRecordType(rawValue: 28)
  /// Service location.
  public static let srv = DNSRecordType(rawValue: 33)
  /// EDNS0 pseudo-record.
  public static let opt = DNSRecordType(rawValue: 41)
  /// Delegation signer.
  public static let ds = DNSRecordType(rawValue: 43)
  /// DNSSEC signature.
  public static let rrsig = DNSRecordType(rawValue: 46)
  /// Next secure name, for authenticated denial of existence.
  public static let nsec = DNSRecordType(rawValue: 47)
  /// DNSSEC public key.
  public static let dnskey = DNSRecordType(rawValue: 48)
  /// Hashed next secure name.
  public static let nsec3 = DNSRecordType(rawValue: 50)
  /// NSEC3 parameters of a zone.
  public static let nsec3param = DNSRecordType(rawValue: 51)
  /// DANE TLS certificate association.
  public static let tlsa = DNSRecordType(rawValue: 52)
  /// Certification authority authorization.
  public static let caa = DNSRecordType(rawValue: 257)
  /// Query for all records (meta type).
  public static let any = DNSRecordType(rawValue: 255)

  private static let names: [UInt16: String] = [
    1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV",
    41: "OPT", 43: "DS", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 50: "NSEC3", 51: "NSEC3PARAM",
    52: "TLSA", 255: "ANY", 257: "CAA",
  ]

  /// Parses a mnemonic (`AAAA`) or the generic `TYPE28` form, case-insensitively.
  public init?(_ text: String) {
    let upper = text.uppercased()
    if let found = Self.names.first(where: { $0.value == upper }) {
      self.init(rawValue: found.key)
    } else if upper.hasPrefix("TYPE"), let code = UInt16(upper.dropFirst(4)) {
      self.init(rawValue: code)
    } else {
      return nil
    }
  }

  /// The mnemonic as dig prints it.
  public var description: String {
    Self.names[rawValue] ?? "TYPE\(rawValue)"
  }

  /// Orders by type code.
  public static func < (lhs: DNSRecordType, rhs: DNSRecordType) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}
