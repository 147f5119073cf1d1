@_spi(Runner) internal import InfraSpecCore

/// A resource record as it appears in a message section.
package struct DNSResourceRecord: Sendable, Hashable, CustomStringConvertible {
  var name: DNSName
  package var type: DNSRecordType
  var recordClass: UInt16 = 1
  package var ttl: UInt32
  package var rdata: DNSRData

  /// One line as dig prints it: owner, TTL, class, type, data.
  package var description: String {
    "\(name)\t\(ttl)\t\(Self.className(recordClass))\t\(type)\t\(rdata)"
  }

  static func className(_ value: UInt16) -> String {
    switch value {
    case 1: "IN"
    case 3: "CH"
    case 4: "HS"
    case 255: "ANY"
    default: "CLASS\(value)"
    }
  }

  static func decode(from reader: inout DNSWireReader) throws(DNSWireError) -> (
    DNSResourceRecord, ttlBits: UInt32
  ) {
    let name = try reader.name()
    let type = DNSRecordType(rawValue: try reader.u16())
    let recordClass = try reader.u16()
    let ttl = try reader.u32()
    let length = Int(try reader.u16())
    let rdata = try DNSRData.decode(type: type, from: &reader, length: length)
    return (DNSResourceRecord(name: name, type: type, recordClass: recordClass, ttl: ttl, rdata: rdata), ttl)
  }

  func encode(into writer: inout DNSWireWriter) {
    writer.name(name)
    writer.u16(type.rawValue)
    writer.u16(recordClass)
    writer.u32(ttl)
    let data = rdata.wire()
    writer.u16(UInt16(min(data.count, 65535)))
    writer.append(data)
  }
}
