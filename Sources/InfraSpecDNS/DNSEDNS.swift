@_spi(Runner) internal import InfraSpecCore

/// The EDNS0 OPT pseudo-record of a message (RFC 6891).
struct DNSEDNS: Sendable, Hashable {
  var udpPayloadSize: UInt16 = 1232
  var extendedResponseCode: UInt8 = 0
  var version: UInt8 = 0
  var dnssecOK: Bool = false
  var options: [DNSEDNSOption] = []

  var record: DNSResourceRecord {
    var writer = DNSWireWriter()
    for option in options {
      writer.u16(option.code)
      writer.u16(UInt16(min(option.data.count, 65535)))
      writer.append(option.data)
    }
    let ttl = UInt32(extendedResponseCode) << 24 | UInt32(version) << 16 | (dnssecOK ? 0x8000 : 0)
    return DNSResourceRecord(
      name: .root, type: .opt, recordClass: udpPayloadSize, ttl: ttl, rdata: .unknown(writer.bytes))
  }

  init(udpPayloadSize: UInt16 = 1232, dnssecOK: Bool = false) {
    self.udpPayloadSize = udpPayloadSize
    self.dnssecOK = dnssecOK
  }

  init(record: DNSResourceRecord, at offset: Int) throws(DNSWireError) {
    guard record.name.isRoot else {
      throw DNSWireError(.badRData, at: offset, "OPT record owned by \(record.name), wanted the root")
    }
    udpPayloadSize = record.recordClass
    extendedResponseCode = UInt8(record.ttl >> 24)
    version = UInt8(record.ttl >> 16 & 0xFF)
    dnssecOK = record.ttl & 0x8000 != 0
    guard case .unknown(let data) = record.rdata else { return }
    var reader = DNSWireReader(data)
    while reader.remaining > 0 {
      let code = try reader.u16()
      let length = Int(try reader.u16())
      options.append(DNSEDNSOption(code: code, data: try reader.take(length)))
    }
  }
}
