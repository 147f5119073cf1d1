@_spi(Runner) internal import InfraSpecCore

/// A DNS message: header, question, answer, authority and additional sections, and EDNS0.
package struct DNSMessage: Sendable, Hashable, CustomStringConvertible {
  var id: UInt16
  var isResponse = false
  var opcode: UInt8 = 0
  package var isAuthoritative = false
  package var isTruncated = false
  var recursionDesired = false
  package var recursionAvailable = false
  package var authenticData = false
  var checkingDisabled = false
  package var responseCode = DNSResponseCode.noError
  var questions: [DNSQuestion] = []
  package var answers: [DNSResourceRecord] = []
  var authorities: [DNSResourceRecord] = []
  /// Additional records without the OPT record, which lives in `edns`.
  var additionals: [DNSResourceRecord] = []
  var edns: DNSEDNS?

  init(id: UInt16) {
    self.id = id
  }

  static func query(
    id: UInt16, name: DNSName, type: DNSRecordType, recursionDesired: Bool = false, edns: DNSEDNS? = DNSEDNS()
  ) -> DNSMessage {
    var message = DNSMessage(id: id)
    message.recursionDesired = recursionDesired
    message.questions = [DNSQuestion(name: name, type: type)]
    message.edns = edns
    return message
  }

  /// Decodes a message; any malformation throws, and work is bounded by the message length.
  init(decoding bytes: [UInt8]) throws(DNSWireError) {
    guard bytes.count <= 65535 else {
      throw DNSWireError(.messageTooLarge, at: 0, "message of \(bytes.count) bytes, at most 65535 allowed")
    }
    var reader = DNSWireReader(bytes)
    id = try reader.u16()
    let flags = try reader.u16()
    isResponse = flags & 0x8000 != 0
    opcode = UInt8(flags >> 11 & 0x0F)
    isAuthoritative = flags & 0x0400 != 0
    isTruncated = flags & 0x0200 != 0
    recursionDesired = flags & 0x0100 != 0
    recursionAvailable = flags & 0x0080 != 0
    authenticData = flags & 0x0020 != 0
    checkingDisabled = flags & 0x0010 != 0
    let questionCount = Int(try reader.u16())
    let answerCount = Int(try reader.u16())
    let authorityCount = Int(try reader.u16())
    let additionalCount = Int(try reader.u16())
    let minimum = questionCount * 5 + (answerCount + authorityCount + additionalCount) * 11
    guard minimum <= reader.remaining else {
      throw DNSWireError(
        .countTooLarge, at: 4,
        "section counts \(questionCount)/\(answerCount)/\(authorityCount)/\(additionalCount) need at least "
          + "\(minimum) bytes, \(reader.remaining) left")
    }
    for _ in 0..<questionCount {
      let name = try reader.name()
      questions.append(
        DNSQuestion(
          name: name, type: DNSRecordType(rawValue: try reader.u16()), recordClass: try reader.u16()))
    }
    for _ in 0..<answerCount {
      answers.append(try DNSResourceRecord.decode(from: &reader).0)
    }
    for _ in 0..<authorityCount {
      authorities.append(try DNSResourceRecord.decode(from: &reader).0)
    }
    for _ in 0..<additionalCount {
      let start = reader.offset
      let record = try DNSResourceRecord.decode(from: &reader).0
      if record.type == .opt {
        guard edns == nil else { throw DNSWireError(.badRData, at: start, "more than one OPT record") }
        edns = try DNSEDNS(record: record, at: start)
      } else {
        additionals.append(record)
      }
    }
    responseCode = DNSResponseCode(rawValue: UInt16(edns?.extendedResponseCode ?? 0) << 4 | flags & 0x0F)
  }

  func encode() -> [UInt8] {
    var writer = DNSWireWriter()
    writer.u16(id)
    var flags = UInt16(opcode & 0x0F) << 11 | responseCode.rawValue & 0x0F
    if isResponse { flags |= 0x8000 }
    if isAuthoritative { flags |= 0x0400 }
    if isTruncated { flags |= 0x0200 }
    if recursionDesired { flags |= 0x0100 }
    if recursionAvailable { flags |= 0x0080 }
    if authenticData { flags |= 0x0020 }
    if checkingDisabled { flags |= 0x0010 }
    writer.u16(flags)
    var extra = additionals
    if var edns {
      edns.extendedResponseCode = UInt8(responseCode.rawValue >> 4 & 0xFF)
      extra.append(edns.record)
    }
    writer.u16(UInt16(questions.count))
    writer.u16(UInt16(answers.count))
    writer.u16(UInt16(authorities.count))
    writer.u16(UInt16(extra.count))
    for question in questions {
      writer.name(question.name)
      writer.u16(question.type.rawValue)
      writer.u16(question.recordClass)
    }
    for record in answers + authorities + extra {
      record.encode(into: &writer)
    }
    return writer.bytes
  }

  /// Records of `section` owned by `name` with `type`.
  func records(in section: [DNSResourceRecord], name: DNSName, type: DNSRecordType) -> [DNSResourceRecord] {
    section.filter { $0.type == type && $0.name == name }
  }

  /// A dig-like rendering, for error messages and debugging.
  package var description: String {
    var flagNames: [String] = []
    if isResponse { flagNames.append("qr") }
    if isAuthoritative { flagNames.append("aa") }
    if isTruncated { flagNames.append("tc") }
    if recursionDesired { flagNames.append("rd") }
    if recursionAvailable { flagNames.append("ra") }
    if authenticData { flagNames.append("ad") }
    if checkingDisabled { flagNames.append("cd") }
    var lines = [";; status: \(responseCode), id: \(id)", ";; flags: \(flagNames.joined(separator: " "))"]
    if let edns {
      lines.append(
        "; EDNS: version: \(edns.version), flags:\(edns.dnssecOK ? " do" : ""); udp: \(edns.udpPayloadSize)")
    }
    lines.append(";; QUESTION SECTION:")
    lines += questions.map { ";\($0)" }
    for (title, section) in [("ANSWER", answers), ("AUTHORITY", authorities), ("ADDITIONAL", additionals)]
    where !section.isEmpty {
      lines.append(";; \(title) SECTION:")
      lines += section.map(\.description)
    }
    return lines.joined(separator: "\n")
  }
}
