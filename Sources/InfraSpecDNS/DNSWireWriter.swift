@_spi(Runner) internal import InfraSpecCore

/// Builds DNS wire data; names are never compressed, which keeps DNSSEC canonical forms simple.
struct DNSWireWriter {
  var bytes: [UInt8] = []

  mutating func u8(_ value: UInt8) {
    bytes.append(value)
  }

  mutating func u16(_ value: UInt16) {
    bytes.append(UInt8(value >> 8))
    bytes.append(UInt8(value & 0xFF))
  }

  mutating func u32(_ value: UInt32) {
    bytes.append(UInt8(value >> 24))
    bytes.append(UInt8(value >> 16 & 0xFF))
    bytes.append(UInt8(value >> 8 & 0xFF))
    bytes.append(UInt8(value & 0xFF))
  }

  mutating func append(_ data: [UInt8]) {
    bytes.append(contentsOf: data)
  }

  mutating func name(_ name: DNSName, canonical: Bool = false) {
    for label in name.labels {
      bytes.append(UInt8(label.count))
      bytes.append(contentsOf: canonical ? DNSName.lowercase(label) : label)
    }
    bytes.append(0)
  }
}
