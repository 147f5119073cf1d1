@_spi(Runner) internal import InfraSpecCore

/// Reads DNS wire data with bounds checks that turn hostile input into `DNSWireError`s.
package struct DNSWireReader {
  let bytes: [UInt8]
  var offset: Int

  init(_ bytes: [UInt8], offset: Int = 0) {
    self.bytes = bytes
    self.offset = offset
  }

  var remaining: Int { bytes.count - offset }

  mutating func u8(limit: Int? = nil) throws(DNSWireError) -> UInt8 {
    try need(1, limit: limit)
    defer { offset += 1 }
    return bytes[offset]
  }

  mutating func u16(limit: Int? = nil) throws(DNSWireError) -> UInt16 {
    try need(2, limit: limit)
    defer { offset += 2 }
    return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
  }

  mutating func u32(limit: Int? = nil) throws(DNSWireError) -> UInt32 {
    try need(4, limit: limit)
    defer { offset += 4 }
    return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }

  mutating func take(_ count: Int, limit: Int? = nil) throws(DNSWireError) -> [UInt8] {
    try need(count, limit: limit)
    defer { offset += count }
    return Array(bytes[offset..<offset + count])
  }

  private func need(_ count: Int, limit: Int?) throws(DNSWireError) {
    let end = limit ?? bytes.count
    guard count >= 0, offset + count <= end else {
      throw DNSWireError(.truncated, at: offset, "wanted \(count) more bytes, \(max(0, end - offset)) left")
    }
  }

  /// Reads a possibly compressed name; each pointer must point before the segment it leaves, so loops end.
  mutating func name(limit: Int? = nil) throws(DNSWireError) -> DNSName {
    var labels: [[UInt8]] = []
    var wireLength = 1
    var position = offset
    var segmentStart = offset
    var end = limit ?? bytes.count
    var jumped = false
    while true {
      guard position < end else {
        throw DNSWireError(.truncated, at: position, "name runs past the end of its data")
      }
      let length = Int(bytes[position])
      switch length & 0xC0 {
      case 0x00:
        if length == 0 {
          if !jumped { offset = position + 1 }
          return DNSName(uncheckedLabels: labels)
        }
        guard position + 1 + length <= end else {
          throw DNSWireError(
            .truncated, at: position, "label of \(length) bytes runs past the end of its data")
        }
        wireLength += length + 1
        guard wireLength <= 255 else {
          throw DNSWireError(.nameTooLong, at: position, "name longer than 255 bytes")
        }
        labels.append(Array(bytes[position + 1..<position + 1 + length]))
        position += 1 + length
      case 0xC0:
        guard position + 1 < end else {
          throw DNSWireError(.truncated, at: position, "compression pointer cut short")
        }
        let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
        guard target < segmentStart else {
          throw DNSWireError(
            .badPointer, at: position, "compression pointer to byte \(target) does not point backwards")
        }
        if !jumped {
          offset = position + 2
          jumped = true
          end = bytes.count
        }
        segmentStart = target
        position = target
      default:
        throw DNSWireError(
          .badLabelType, at: position, "unsupported label type 0x\(String(length, radix: 16))")
      }
    }
  }
}
