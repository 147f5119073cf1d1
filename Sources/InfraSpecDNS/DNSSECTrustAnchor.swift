@_spi(Runner) internal import InfraSpecCore

/// Where validation starts: DS or DNSKEY records for one zone, as a resolver is configured with.
///
/// Read from presentation text (`com. IN DS 19718 13 2 8ACB…`, `com. 3600 IN DNSKEY 257 3 13 …`,
/// one record a line) or from a BIND `trust-anchors { … };` clause (static-key, initial-key,
/// static-ds, initial-ds).
package struct DNSSECTrustAnchor: Sendable, Equatable {
  var zone: DNSName
  var ds: [DSRecord] = []
  var keys: [DNSKEYRecord] = []

  package struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String
  }

  init(zone: DNSName, ds: [DSRecord] = [], keys: [DNSKEYRecord] = []) {
    self.zone = zone
    self.ds = ds
    self.keys = keys
  }

  /// Parses anchor text; every record must be for the same zone.
  init(parsing text: String) throws(ParseError) {
    let records =
      text.contains("trust-anchors") ? try Self.bindRecords(text) : try Self.presentationRecords(text)
    guard let first = records.first else {
      throw ParseError(description: "no DS or DNSKEY record in the trust anchor: \(text.prefix(60))")
    }
    zone = first.zone
    for record in records {
      guard record.zone == zone else {
        throw ParseError(
          description:
            "the trust anchor mixes zones \(zone.text) and \(record.zone.text); give one zone's records")
      }
      if let found = record.ds { ds.append(found) }
      if let key = record.key { keys.append(key) }
    }
  }

  private struct Entry {
    var zone: DNSName
    var ds: DSRecord?
    var key: DNSKEYRecord?
  }

  /// `owner [ttl] [IN] DS|DNSKEY fields…`, a record a line; `;` starts a comment.
  private static func presentationRecords(_ text: String) throws(ParseError) -> [Entry] {
    var entries: [Entry] = []
    for raw in text.split(whereSeparator: { $0 == "\n" }) {
      let line = raw.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
      var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard !fields.isEmpty else { continue }
      let owner = fields.removeFirst()
      while let field = fields.first, UInt32(field) != nil || field.uppercased() == "IN" {
        fields.removeFirst()
      }
      guard let type = fields.first?.uppercased() else {
        throw ParseError(description: "no record type in the trust anchor line: \(line)")
      }
      entries.append(try entry(owner: owner, type: type, fields: Array(fields.dropFirst())))
    }
    return entries
  }

  /// BIND's `trust-anchors { "name." static-key 257 3 13 "base64"; "name." static-ds 1 13 2 "hex"; };`.
  private static func bindRecords(_ text: String) throws(ParseError) -> [Entry] {
    guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close else {
      throw ParseError(description: "trust-anchors clause without { … }")
    }
    var entries: [Entry] = []
    for statement in text[text.index(after: open)..<close].split(separator: ";") {
      let fields = statement.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map {
        String($0.filter { $0 != "\"" })
      }
      guard fields.count >= 2 else { continue }
      let kind = fields[1]
      let type: String
      switch kind {
      case "static-key", "initial-key": type = "DNSKEY"
      case "static-ds", "initial-ds": type = "DS"
      default: throw ParseError(description: "unknown trust anchor kind \(kind) (static-key, static-ds, …)")
      }
      entries.append(try entry(owner: fields[0], type: type, fields: Array(fields.dropFirst(2))))
    }
    return entries
  }

  private static func entry(owner: String, type: String, fields: [String]) throws(ParseError) -> Entry {
    guard let zone = try? DNSName(owner) else {
      throw ParseError(description: "not a DNS name in the trust anchor: \(owner)")
    }
    switch type {
    case "DS":
      guard fields.count >= 4, let tag = UInt16(fields[0]), let algorithm = UInt8(fields[1]),
        let digestType = UInt8(fields[2]), let digest = hex(fields[3...].joined())
      else {
        throw ParseError(
          description:
            "a DS trust anchor is `tag algorithm digest-type hex`: \(fields.joined(separator: " "))")
      }
      return Entry(
        zone: zone, ds: DSRecord(keyTag: tag, algorithm: algorithm, digestType: digestType, digest: digest))
    case "DNSKEY":
      guard fields.count >= 4, let flags = UInt16(fields[0]), let proto = UInt8(fields[1]),
        let algorithm = UInt8(fields[2]), let key = DNSTextEncoding.base64Decode(fields[3...].joined())
      else {
        throw ParseError(
          description:
            "a DNSKEY trust anchor is `flags protocol algorithm base64`: \(fields.joined(separator: " "))")
      }
      return Entry(
        zone: zone, key: DNSKEYRecord(flags: flags, protocol: proto, algorithm: algorithm, publicKey: key))
    default:
      throw ParseError(description: "a trust anchor is a DS or DNSKEY record, not \(type)")
    }
  }

  static func hex(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
      guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
      bytes.append(high << 4 | low)
      index += 2
    }
    return bytes
  }

  private static func nibble(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
