@_spi(Runner) internal import InfraSpecCore

/// The typed data of a resource record; types InfraSpec does not know stay raw bytes (RFC 3597).
package enum DNSRData: Sendable, Hashable {
  case a([UInt8])
  case aaaa([UInt8])
  case ns(DNSName)
  case cname(DNSName)
  case ptr(DNSName)
  case soa(SOARecord)
  case mx(preference: UInt16, exchange: DNSName)
  case txt([[UInt8]])
  case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
  case caa(flags: UInt8, tag: [UInt8], value: [UInt8])
  case ds(DSRecord)
  case dnskey(DNSKEYRecord)
  case rrsig(RRSIGRecord)
  case nsec(NSECRecord)
  case nsec3(NSEC3Record)
  case nsec3param(hashAlgorithm: UInt8, flags: UInt8, iterations: UInt16, salt: [UInt8])
  case tlsa(usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8])
  case unknown([UInt8])

  /// Decodes `length` bytes of RDATA at the reader's offset; names may point back into the message.
  static func decode(
    type: DNSRecordType, from reader: inout DNSWireReader, length: Int
  ) throws(DNSWireError) -> DNSRData {
    let start = reader.offset
    let end = start + length
    guard end <= reader.bytes.count else {
      throw DNSWireError(.truncated, at: start, "RDATA of \(length) bytes runs past the end of the message")
    }
    let rdata: DNSRData
    switch type {
    case .a:
      guard length == 4 else {
        throw DNSWireError(.badRData, at: start, "A RDATA of \(length) bytes, wanted 4")
      }
      rdata = .a(try reader.take(4, limit: end))
    case .aaaa:
      guard length == 16 else {
        throw DNSWireError(.badRData, at: start, "AAAA RDATA of \(length) bytes, wanted 16")
      }
      rdata = .aaaa(try reader.take(16, limit: end))
    case .ns:
      rdata = .ns(try reader.name(limit: end))
    case .cname:
      rdata = .cname(try reader.name(limit: end))
    case .ptr:
      rdata = .ptr(try reader.name(limit: end))
    case .soa:
      rdata = .soa(
        SOARecord(
          primaryServer: try reader.name(limit: end), responsible: try reader.name(limit: end),
          serial: try reader.u32(limit: end), refresh: try reader.u32(limit: end),
          retry: try reader.u32(limit: end),
          expire: try reader.u32(limit: end), minimum: try reader.u32(limit: end)))
    case .mx:
      rdata = .mx(preference: try reader.u16(limit: end), exchange: try reader.name(limit: end))
    case .txt:
      var strings: [[UInt8]] = []
      while reader.offset < end {
        let count = Int(try reader.u8(limit: end))
        strings.append(try reader.take(count, limit: end))
      }
      rdata = .txt(strings)
    case .srv:
      rdata = .srv(
        priority: try reader.u16(limit: end), weight: try reader.u16(limit: end),
        port: try reader.u16(limit: end),
        target: try reader.name(limit: end))
    case .caa:
      let flags = try reader.u8(limit: end)
      let tagLength = Int(try reader.u8(limit: end))
      guard tagLength > 0 else { throw DNSWireError(.badRData, at: start, "CAA record with an empty tag") }
      let tag = try reader.take(tagLength, limit: end)
      rdata = .caa(flags: flags, tag: tag, value: try reader.take(end - reader.offset, limit: end))
    case .ds:
      rdata = .ds(
        DSRecord(
          keyTag: try reader.u16(limit: end), algorithm: try reader.u8(limit: end),
          digestType: try reader.u8(limit: end),
          digest: try reader.take(max(0, end - reader.offset), limit: end)))
    case .dnskey:
      rdata = .dnskey(
        DNSKEYRecord(
          flags: try reader.u16(limit: end), protocol: try reader.u8(limit: end),
          algorithm: try reader.u8(limit: end),
          publicKey: try reader.take(max(0, end - reader.offset), limit: end)))
    case .rrsig:
      let typeCovered = DNSRecordType(rawValue: try reader.u16(limit: end))
      let algorithm = try reader.u8(limit: end)
      let labels = try reader.u8(limit: end)
      let originalTTL = try reader.u32(limit: end)
      let expiration = try reader.u32(limit: end)
      let inception = try reader.u32(limit: end)
      let keyTag = try reader.u16(limit: end)
      let signer = try reader.name(limit: end)
      rdata = .rrsig(
        RRSIGRecord(
          typeCovered: typeCovered, algorithm: algorithm, labels: labels, originalTTL: originalTTL,
          expiration: expiration, inception: inception, keyTag: keyTag, signerName: signer,
          signature: try reader.take(max(0, end - reader.offset), limit: end)))
    case .nsec:
      let next = try reader.name(limit: end)
      rdata = .nsec(NSECRecord(nextName: next, types: try DNSTypeBitmap.decode(&reader, end: end)))
    case .nsec3:
      let algorithm = try reader.u8(limit: end)
      let flags = try reader.u8(limit: end)
      let iterations = try reader.u16(limit: end)
      let salt = try reader.take(Int(try reader.u8(limit: end)), limit: end)
      let hashLength = Int(try reader.u8(limit: end))
      guard hashLength > 0 else {
        throw DNSWireError(.badRData, at: start, "NSEC3 record with an empty hash")
      }
      let next = try reader.take(hashLength, limit: end)
      rdata = .nsec3(
        NSEC3Record(
          hashAlgorithm: algorithm, flags: flags, iterations: iterations, salt: salt, nextHashedOwner: next,
          types: try DNSTypeBitmap.decode(&reader, end: end)))
    case .nsec3param:
      let algorithm = try reader.u8(limit: end)
      let flags = try reader.u8(limit: end)
      let iterations = try reader.u16(limit: end)
      let salt = try reader.take(Int(try reader.u8(limit: end)), limit: end)
      rdata = .nsec3param(hashAlgorithm: algorithm, flags: flags, iterations: iterations, salt: salt)
    case .tlsa:
      rdata = .tlsa(
        usage: try reader.u8(limit: end), selector: try reader.u8(limit: end),
        matchingType: try reader.u8(limit: end),
        data: try reader.take(max(0, end - reader.offset), limit: end))
    default:
      rdata = .unknown(try reader.take(length, limit: end))
    }
    guard reader.offset == end else {
      throw DNSWireError(
        .badRData, at: reader.offset, "\(type) RDATA has \(end - reader.offset) bytes left over")
    }
    return rdata
  }

  /// Writes uncompressed RDATA; `canonical` lowercases the names RFC 4034 §6.2 lists (RFC 6840: not NSEC).
  func encode(into writer: inout DNSWireWriter, canonical: Bool = false) {
    switch self {
    case .a(let bytes), .aaaa(let bytes), .unknown(let bytes):
      writer.append(bytes)
    case .ns(let name), .cname(let name), .ptr(let name):
      writer.name(name, canonical: canonical)
    case .soa(let soa):
      writer.name(soa.primaryServer, canonical: canonical)
      writer.name(soa.responsible, canonical: canonical)
      for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] {
        writer.u32(value)
      }
    case .mx(let preference, let exchange):
      writer.u16(preference)
      writer.name(exchange, canonical: canonical)
    case .txt(let strings):
      for string in strings {
        writer.u8(UInt8(min(string.count, 255)))
        writer.append(Array(string.prefix(255)))
      }
    case .srv(let priority, let weight, let port, let target):
      writer.u16(priority)
      writer.u16(weight)
      writer.u16(port)
      writer.name(target, canonical: canonical)
    case .caa(let flags, let tag, let value):
      writer.u8(flags)
      writer.u8(UInt8(min(tag.count, 255)))
      writer.append(Array(tag.prefix(255)))
      writer.append(value)
    case .ds(let ds):
      writer.u16(ds.keyTag)
      writer.u8(ds.algorithm)
      writer.u8(ds.digestType)
      writer.append(ds.digest)
    case .dnskey(let key):
      writer.u16(key.flags)
      writer.u8(key.protocol)
      writer.u8(key.algorithm)
      writer.append(key.publicKey)
    case .rrsig(let signature):
      writer.u16(signature.typeCovered.rawValue)
      writer.u8(signature.algorithm)
      writer.u8(signature.labels)
      writer.u32(signature.originalTTL)
      writer.u32(signature.expiration)
      writer.u32(signature.inception)
      writer.u16(signature.keyTag)
      writer.name(signature.signerName, canonical: canonical)
      writer.append(signature.signature)
    case .nsec(let nsec):
      writer.name(nsec.nextName)
      DNSTypeBitmap.encode(nsec.types, into: &writer)
    case .nsec3(let nsec3):
      writer.u8(nsec3.hashAlgorithm)
      writer.u8(nsec3.flags)
      writer.u16(nsec3.iterations)
      writer.u8(UInt8(min(nsec3.salt.count, 255)))
      writer.append(Array(nsec3.salt.prefix(255)))
      writer.u8(UInt8(min(nsec3.nextHashedOwner.count, 255)))
      writer.append(Array(nsec3.nextHashedOwner.prefix(255)))
      DNSTypeBitmap.encode(nsec3.types, into: &writer)
    case .nsec3param(let algorithm, let flags, let iterations, let salt):
      writer.u8(algorithm)
      writer.u8(flags)
      writer.u16(iterations)
      writer.u8(UInt8(min(salt.count, 255)))
      writer.append(Array(salt.prefix(255)))
    case .tlsa(let usage, let selector, let matchingType, let data):
      writer.u8(usage)
      writer.u8(selector)
      writer.u8(matchingType)
      writer.append(data)
    }
  }

  func wire(canonical: Bool = false) -> [UInt8] {
    var writer = DNSWireWriter()
    encode(into: &writer, canonical: canonical)
    return writer.bytes
  }
}
