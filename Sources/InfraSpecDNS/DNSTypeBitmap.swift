@_spi(Runner) internal import InfraSpecCore

/// The windowed type bitmap of NSEC and NSEC3 records (RFC 4034 §4.1.2).
enum DNSTypeBitmap {
  static func decode(_ reader: inout DNSWireReader, end: Int) throws(DNSWireError) -> [DNSRecordType] {
    var types: [DNSRecordType] = []
    var lastWindow = -1
    while reader.offset < end {
      let window = Int(try reader.u8(limit: end))
      let length = Int(try reader.u8(limit: end))
      guard window > lastWindow else {
        throw DNSWireError(.badRData, at: reader.offset - 2, "type bitmap windows out of order")
      }
      guard (1...32).contains(length) else {
        throw DNSWireError(.badRData, at: reader.offset - 1, "type bitmap window of \(length) bytes")
      }
      lastWindow = window
      let bitmap = try reader.take(length, limit: end)
      for (index, byte) in bitmap.enumerated() where byte != 0 {
        for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
          types.append(DNSRecordType(rawValue: UInt16(window << 8 | index * 8 + bit)))
        }
      }
    }
    return types
  }

  static func encode(_ types: [DNSRecordType], into writer: inout DNSWireWriter) {
    let sorted = Set(types.map(\.rawValue)).sorted()
    var index = 0
    while index < sorted.count {
      let window = sorted[index] >> 8
      var bitmap = [UInt8](repeating: 0, count: 32)
      var used = 0
      while index < sorted.count, sorted[index] >> 8 == window {
        let low = Int(sorted[index] & 0xFF)
        bitmap[low / 8] |= 0x80 >> UInt8(low % 8)
        used = low / 8 + 1
        index += 1
      }
      writer.u8(UInt8(window))
      writer.u8(UInt8(used))
      writer.append(Array(bitmap[0..<used]))
    }
  }
}
