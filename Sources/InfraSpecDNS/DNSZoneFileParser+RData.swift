@_spi(Runner) internal import InfraSpecCore
#if canImport(Glibc)
  internal import Glibc
#endif

/// RDATA in presentation form to wire form, per type; the wire is then decoded like a response's.
extension DNSZoneFileParser {
  static let cds = DNSRecordType(rawValue: 59)
  static let cdnskey = DNSRecordType(rawValue: 60)

  func rdata(
    _ type: DNSRecordType, _ tokens: [Token], _ fail: (String) -> ParseError
  ) throws(ParseError) -> [UInt8] {
    var writer = DNSWireWriter()
    var fields = tokens[...]
    func next(_ what: String) throws(ParseError) -> String {
      guard let token = fields.popFirst() else { throw fail("\(type) needs \(what)") }
      return token.string
    }
    func number<T: FixedWidthInteger>(_ what: String, _: T.Type) throws(ParseError) -> T {
      let text = try next(what)
      guard let value = T(text) else { throw fail("\(type): \(what) is not a number: \(text.prefix(40))") }
      return value
    }
    func domain(_ what: String) throws(ParseError) -> DNSName { try name(try next(what), fail) }
    func rest() -> String { fields.map(\.string).joined() }

    if let first = fields.first, !first.quoted, first.string == "\\#" {
      fields = fields.dropFirst()
      let length = try number("a length after \\#", Int.self)
      guard let bytes = DNSSECTrustAnchor.hex(rest()) ?? (length == 0 ? [] : nil), bytes.count == length
      else {
        throw fail("\\# \(length) needs exactly \(length) bytes of hex")
      }
      return bytes
    }
    switch type {
    case .a:
      var address = in_addr()
      let text = try next("an IPv4 address")
      guard inet_pton(AF_INET, text, &address) == 1 else {
        throw fail("not an IPv4 address: \(text.prefix(40))")
      }
      writer.append(withUnsafeBytes(of: address) { Array($0) })
    case .aaaa:
      var address = in6_addr()
      let text = try next("an IPv6 address")
      guard inet_pton(AF_INET6, text, &address) == 1 else {
        throw fail("not an IPv6 address: \(text.prefix(40))")
      }
      writer.append(withUnsafeBytes(of: address) { Array($0) })
    case .ns, .cname, .ptr, DNSRecordType(rawValue: 39):
      writer.name(try domain("a name"))
    case .mx:
      writer.u16(try number("a preference", UInt16.self))
      writer.name(try domain("an exchange"))
    case .srv:
      writer.u16(try number("a priority", UInt16.self))
      writer.u16(try number("a weight", UInt16.self))
      writer.u16(try number("a port", UInt16.self))
      writer.name(try domain("a target"))
    case .soa:
      writer.name(try domain("a primary name server"))
      writer.name(try domain("a mailbox"))
      writer.u32(try number("a serial", UInt32.self))
      for what in ["refresh", "retry", "expire", "minimum"] {
        let text = try next("a \(what) time")
        guard let value = Self.ttl(text) else { throw fail("SOA \(what) is not a time: \(text.prefix(40))") }
        writer.u32(value)
      }
    case .txt:
      guard !fields.isEmpty else { throw fail("TXT needs at least one string") }
      for token in fields {
        let bytes = Self.unescape(token.text)
        guard bytes.count <= 255 else {
          throw fail(
            "a TXT string of \(bytes.count) bytes; each string holds at most 255 (split it in several)")
        }
        writer.u8(UInt8(bytes.count))
        writer.append(bytes)
      }
      fields = []
    case .ds, Self.cds:
      writer.u16(try number("a key tag", UInt16.self))
      writer.u8(try number("an algorithm", UInt8.self))
      writer.u8(try number("a digest type", UInt8.self))
      guard let digest = DNSSECTrustAnchor.hex(rest()) else { throw fail("\(type) digest is not hex") }
      writer.append(digest)
      fields = []
    case .dnskey, Self.cdnskey:
      writer.u16(try number("flags", UInt16.self))
      writer.u8(try number("a protocol", UInt8.self))
      writer.u8(try number("an algorithm", UInt8.self))
      guard let key = DNSTextEncoding.base64Decode(rest()) else { throw fail("\(type) key is not base64") }
      writer.append(key)
      fields = []
    case .rrsig:
      let covered = try next("a type covered")
      guard let coveredType = DNSRecordType(covered) else {
        throw fail("RRSIG covers an unknown type \(covered)")
      }
      writer.u16(coveredType.rawValue)
      writer.u8(try number("an algorithm", UInt8.self))
      writer.u8(try number("a label count", UInt8.self))
      writer.u32(try number("an original TTL", UInt32.self))
      for what in ["an expiration", "an inception"] {
        let text = try next(what)
        guard let time = Self.signatureTime(text) else {
          throw fail("RRSIG \(what) is not YYYYMMDDHHmmSS or seconds: \(text.prefix(40))")
        }
        writer.u32(time)
      }
      writer.u16(try number("a key tag", UInt16.self))
      writer.name(try domain("a signer name"))
      guard let signature = DNSTextEncoding.base64Decode(rest()) else {
        throw fail("RRSIG signature is not base64")
      }
      writer.append(signature)
      fields = []
    case .nsec:
      writer.name(try domain("a next name"))
      DNSTypeBitmap.encode(try types(fields, fail), into: &writer)
      fields = []
    case .nsec3, .nsec3param:
      writer.u8(try number("a hash algorithm", UInt8.self))
      writer.u8(try number("flags", UInt8.self))
      writer.u16(try number("iterations", UInt16.self))
      let saltText = try next("a salt")
      guard let salt = saltText == "-" ? [] : DNSSECTrustAnchor.hex(saltText), salt.count < 256 else {
        throw fail("\(type) salt is not hex or -")
      }
      writer.u8(UInt8(salt.count))
      writer.append(salt)
      if type == .nsec3 {
        let nextText = try next("a next hashed owner")
        guard let next = DNSTextEncoding.base32HexDecode(Array(nextText.utf8)), next.count < 256 else {
          throw fail("NSEC3 next hashed owner is not base32hex")
        }
        writer.u8(UInt8(next.count))
        writer.append(next)
        DNSTypeBitmap.encode(try types(fields, fail), into: &writer)
        fields = []
      }
    case .caa:
      writer.u8(try number("flags", UInt8.self))
      let tag = Array(try next("a tag").utf8)
      writer.u8(UInt8(truncatingIfNeeded: tag.count))
      writer.append(tag)
      guard let value = fields.popFirst() else { throw fail("CAA needs a value") }
      writer.append(Self.unescape(value.text))
    case .tlsa:
      writer.u8(try number("a usage", UInt8.self))
      writer.u8(try number("a selector", UInt8.self))
      writer.u8(try number("a matching type", UInt8.self))
      guard let data = DNSSECTrustAnchor.hex(rest()) else { throw fail("TLSA data is not hex") }
      writer.append(data)
      fields = []
    default:
      throw fail("InfraSpec cannot read \(type) in presentation form; write it as \\# length hex (RFC 3597)")
    }
    guard fields.isEmpty else {
      throw fail("\(type) has extra data: \(fields.map(\.string).joined(separator: " ").prefix(60))")
    }
    return writer.bytes
  }

  private func types(_ tokens: ArraySlice<Token>, _ fail: (String) -> ParseError) throws(ParseError)
    -> [DNSRecordType]
  {
    var types: [DNSRecordType] = []
    for token in tokens {
      guard let type = DNSRecordType(token.string) ?? Self.extraType(token.string) else {
        throw fail("unknown type \(token.string.prefix(20)) in a type bitmap")
      }
      types.append(type)
    }
    return types
  }

  private static func extraType(_ text: String) -> DNSRecordType? {
    switch text.uppercased() {
    case "CDS": cds
    case "CDNSKEY": cdnskey
    case "DNAME": DNSRecordType(rawValue: 39)
    case "HINFO": DNSRecordType(rawValue: 13)
    case "SSHFP": DNSRecordType(rawValue: 44)
    case "SVCB": DNSRecordType(rawValue: 64)
    case "HTTPS": DNSRecordType(rawValue: 65)
    case "ZONEMD": DNSRecordType(rawValue: 63)
    default: nil
    }
  }

  /// `\DDD` and `\X` escapes of a quoted string or word.
  static func unescape(_ text: [UInt8]) -> [UInt8] {
    guard text.contains(UInt8(ascii: "\\")) else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.count)
    var index = 0
    while index < text.count {
      let byte = text[index]
      if byte == UInt8(ascii: "\\"), index + 1 < text.count {
        if index + 3 < text.count,
          let value = UInt8(String(decoding: text[(index + 1)...(index + 3)], as: UTF8.self))
        {
          out.append(value)
          index += 4
          continue
        }
        out.append(text[index + 1])
        index += 2
        continue
      }
      out.append(byte)
      index += 1
    }
    return out
  }

  /// RRSIG times: `YYYYMMDDHHmmSS` (UTC) or plain seconds since the epoch.
  static func signatureTime(_ text: String) -> UInt32? {
    let digits = Array(text.utf8)
    guard digits.count == 14, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return UInt32(text) }
    func value(_ range: Range<Int>) -> Int { Int(String(decoding: digits[range], as: UTF8.self)) ?? 0 }
    let (year, month, day) = (value(0..<4), value(4..<6), value(6..<8))
    let (hour, minute, second) = (value(8..<10), value(10..<12), value(12..<14))
    guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
      return nil
    }
    // Days from the civil date (Howard Hinnant's algorithm), then seconds.
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
    return UInt32(truncatingIfNeeded: seconds)
  }
}
