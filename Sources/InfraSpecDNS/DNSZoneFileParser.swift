@_spi(Runner) internal import InfraSpecCore
internal import FoundationEssentials
internal import Glibc

/// Reads a master file (RFC 1035 §5, with BIND's TTL units and RFC 3597's `\# len hex`) into
/// records. Every error names the file and line; `$INCLUDE` may only read files inside the
/// folder of the zone file it starts from, so a zone repository cannot pull in `/etc/shadow`.
package struct DNSZoneFileParser {
  package struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var message: String

    package var description: String { "\(file):\(line): \(message)" }
  }

  /// RFC 1035 §3.2.1 gives RDATA a 16-bit length.
  static let maximumRDataLength = 65535
  /// A zone file past this is not one a check should read into memory.
  static let maximumFileSize = 1 << 30

  /// Presentation text longer than this cannot encode a legal RDATA (hex doubles, `\DDD` quadruples).
  static let maximumEntryText = 4 * maximumRDataLength + 4096

  private(set) var records: [DNSResourceRecord] = []
  private let root: String
  private var origin: DNSName
  private var defaultTTL: UInt32?
  private var lastOwner: DNSName?
  private var lastTTL: UInt32?
  private var depth = 0

  /// Parses `path` with `origin` as the initial `$ORIGIN`.
  package static func parse(path: String, origin: DNSName) throws(ParseError) -> [DNSResourceRecord] {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
    var parser = DNSZoneFileParser(root: absolute.deletingLastPathComponent().path, origin: origin)
    try parser.read(absolute.path, shownAs: path, includedAt: nil)
    return parser.records
  }

  /// Parses zone text held in memory (tests, known answers); `$INCLUDE` is refused.
  static func parse(text: String, origin: DNSName, name: String = "zone") throws(ParseError)
    -> [DNSResourceRecord]
  {
    var parser = DNSZoneFileParser(root: "", origin: origin)
    try parser.parseBytes(Array(text.utf8), file: name)
    return parser.records
  }

  private init(root: String, origin: DNSName) {
    self.root = root
    self.origin = origin
  }

  private mutating func read(_ path: String, shownAs shown: String, includedAt: (String, Int)?)
    throws(ParseError)
  {
    let (file, line) = includedAt ?? (shown, 0)
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
      throw ParseError(file: file, line: line, message: "cannot read \(shown): no such file or not readable")
    }
    if let size = attributes[.size] as? Int, size > Self.maximumFileSize {
      throw ParseError(
        file: file, line: line, message: "\(shown) is \(size) bytes, more than a zone file may be")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ParseError(file: file, line: line, message: "cannot read \(shown)")
    }
    try parseBytes([UInt8](data), file: shown)
  }

  // MARK: - Lines and tokens

  struct Token {
    var text: [UInt8]
    var quoted: Bool
    var string: String { String(decoding: text, as: UTF8.self) }
  }

  /// Splits into logical lines (parentheses join physical ones), then tokens.
  private mutating func parseBytes(_ bytes: [UInt8], file: String) throws(ParseError) {
    var index = 0
    var line = 1
    var tokens: [Token] = []
    var startsWithSpace = false
    var startLine = 1
    var parentheses = 0
    var current: [UInt8] = []
    var inToken = false
    var quoted = false
    var atLineStart = true

    var entryLength = 0
    func flush() {
      if inToken { tokens.append(Token(text: current, quoted: quoted)) }
      current = []
      inToken = false
      quoted = false
    }
    // Stop reading a record as soon as its text is too long to be one, not after 10 MB of it.
    func tooLong() -> ParseError {
      ParseError(
        file: file, line: startLine,
        message: "this record is more than \(Self.maximumEntryText) bytes of text, "
          + "more than the 65535 bytes of RDATA a record can hold")
    }

    while index < bytes.count {
      let byte = bytes[index]
      if atLineStart {
        startsWithSpace = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
        startLine = line
        atLineStart = false
      }
      switch byte {
      case UInt8(ascii: "\""):
        if inToken && !quoted {
          throw ParseError(file: file, line: line, message: "a quote inside a word; quote the whole string")
        }
        inToken = true
        quoted = true
        index += 1
        while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
          entryLength += 1
          if entryLength > Self.maximumEntryText { throw tooLong() }
          if bytes[index] == UInt8(ascii: "\n") { line += 1 }
          if bytes[index] == UInt8(ascii: "\\") && index + 1 < bytes.count {
            current.append(bytes[index])
            index += 1
          }
          current.append(bytes[index])
          index += 1
        }
        guard index < bytes.count else {
          throw ParseError(file: file, line: line, message: "a quoted string is not closed")
        }
        tokens.append(Token(text: current, quoted: true))
        current = []
        inToken = false
        quoted = false
      case UInt8(ascii: ";"):
        flush()
        while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
        continue
      case UInt8(ascii: "("):
        flush()
        parentheses += 1
      case UInt8(ascii: ")"):
        flush()
        guard parentheses > 0 else { throw ParseError(file: file, line: line, message: "')' without '('") }
        parentheses -= 1
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        flush()
      case UInt8(ascii: "\n"):
        flush()
        line += 1
        if parentheses == 0 {
          if !tokens.isEmpty {
            try entry(tokens, continuing: startsWithSpace, file: file, line: startLine)
          }
          tokens.removeAll(keepingCapacity: true)
          entryLength = 0
          atLineStart = true
        }
      case UInt8(ascii: "\\"):
        inToken = true
        current.append(byte)
        if index + 1 < bytes.count {
          index += 1
          current.append(bytes[index])
        }
      default:
        inToken = true
        current.append(byte)
        entryLength += 1
        if entryLength > Self.maximumEntryText { throw tooLong() }
      }
      index += 1
    }
    flush()
    guard parentheses == 0 else {
      throw ParseError(file: file, line: startLine, message: "'(' is never closed")
    }
    if !tokens.isEmpty { try entry(tokens, continuing: startsWithSpace, file: file, line: startLine) }
  }

  // MARK: - Entries

  private mutating func entry(_ tokens: [Token], continuing: Bool, file: String, line: Int) throws(ParseError)
  {
    func fail(_ message: String) -> ParseError { ParseError(file: file, line: line, message: message) }
    let first = tokens[0].string
    if !continuing && first.hasPrefix("$") {
      switch first.uppercased() {
      case "$ORIGIN":
        guard tokens.count >= 2 else { throw fail("$ORIGIN needs a name") }
        origin = try name(tokens[1].string, fail)
      case "$TTL":
        guard tokens.count >= 2, let ttl = Self.ttl(tokens[1].string) else { throw fail("$TTL needs a TTL") }
        defaultTTL = ttl
      case "$INCLUDE":
        guard tokens.count >= 2 else { throw fail("$INCLUDE needs a file name") }
        try include(
          tokens[1].string, origin: tokens.count >= 3 ? tokens[2].string : nil, file: file, line: line)
      default:
        throw fail("unknown directive \(first) ($ORIGIN, $TTL and $INCLUDE are known)")
      }
      return
    }
    var rest = tokens[...]
    let owner: DNSName
    if continuing {
      guard let last = lastOwner else { throw fail("a record without an owner name, and none before it") }
      owner = last
    } else {
      owner = try name(first, fail)
      rest = rest.dropFirst()
    }
    var ttl: UInt32?
    var recordClass: UInt16 = 1
    var typeText: String?
    while let token = rest.first {
      rest = rest.dropFirst()
      let text = token.string
      if ttl == nil, let value = Self.ttl(text) {
        ttl = value
      } else if ["IN", "CH", "HS"].contains(text.uppercased()) {
        recordClass = text.uppercased() == "IN" ? 1 : text.uppercased() == "CH" ? 3 : 4
      } else {
        typeText = text
        break
      }
    }
    guard let typeText, let type = DNSRecordType(typeText) else {
      throw fail("no record type (A, NS, DNSKEY, …) in this line" + (typeText.map { ": \($0)" } ?? ""))
    }
    let fields = Array(rest)
    let rdata = try self.rdata(type, fields, fail)
    guard rdata.count <= Self.maximumRDataLength else {
      throw fail("the \(type) RDATA is \(rdata.count) bytes, more than the 65535 a record can hold")
    }
    var reader = DNSWireReader(rdata)
    let decoded: DNSRData
    do {
      decoded = try DNSRData.decode(type: type, from: &reader, length: rdata.count)
    } catch {
      throw fail("bad \(type) data: \(error.description)")
    }
    guard let resolvedTTL = ttl ?? defaultTTL ?? lastTTL else {
      throw fail("no TTL: give one in the record or a $TTL line before it")
    }
    lastOwner = owner
    lastTTL = resolvedTTL
    records.append(
      DNSResourceRecord(name: owner, type: type, recordClass: recordClass, ttl: resolvedTTL, rdata: decoded))
  }

  private mutating func include(_ target: String, origin: String?, file: String, line: Int) throws(ParseError)
  {
    func fail(_ message: String) -> ParseError { ParseError(file: file, line: line, message: message) }
    guard !root.isEmpty else { throw fail("$INCLUDE is not allowed in zone text given inline") }
    guard depth < 16 else { throw fail("$INCLUDE nested more than 16 deep") }
    let resolved = URL(fileURLWithPath: target, relativeTo: URL(fileURLWithPath: root + "/"))
      .standardizedFileURL.resolvingSymlinksInPath().path
    guard resolved.hasPrefix(root + "/") else {
      throw fail(
        "$INCLUDE \(target) is outside the zone file's folder \(root); only files inside it may be included")
    }
    let saved = (self.origin, lastOwner)
    if let origin { self.origin = try name(origin, fail) }
    depth += 1
    try read(resolved, shownAs: target, includedAt: (file, line))
    depth -= 1
    (self.origin, lastOwner) = saved
  }

  func name(_ text: String, _ fail: (String) -> ParseError) throws(ParseError) -> DNSName {
    if text == "@" { return origin }
    do {
      let parsed = try DNSName(text)
      if text.hasSuffix(".") && !text.hasSuffix("\\.") { return parsed }
      return try DNSName(labels: parsed.labels + origin.labels)
    } catch {
      throw fail("not a domain name: \(text.prefix(80)) (\(error.description))")
    }
  }

  /// `3600`, or BIND's units: `1h30m`, `2w`, `1d`.
  package static func ttl(_ text: String) -> UInt32? {
    guard let first = text.first, first.isASCII, first.isNumber else { return nil }
    if let plain = UInt32(text) { return plain }
    var total: UInt64 = 0
    var number: UInt64 = 0
    var sawDigit = false
    for character in text.lowercased() {
      if let digit = character.wholeNumberValue, character.isASCII {
        number = number * 10 + UInt64(digit)
        sawDigit = true
        if number > UInt64(UInt32.max) { return nil }
        continue
      }
      let unit: UInt64
      switch character {
      case "s": unit = 1
      case "m": unit = 60
      case "h": unit = 3600
      case "d": unit = 86400
      case "w": unit = 604_800
      default: return nil
      }
      guard sawDigit else { return nil }
      total += number * unit
      number = 0
      sawDigit = false
    }
    total += number
    return total <= UInt64(UInt32.max) ? UInt32(total) : nil
  }
}
