@_spi(Runner) internal import InfraSpecCore

/// The data of a DNSKEY record.
package struct DNSKEYRecord: Sendable, Hashable {
  var flags: UInt16
  var `protocol`: UInt8
  var algorithm: UInt8
  var publicKey: [UInt8]

  var isZoneKey: Bool { flags & 0x0100 != 0 }
  var isSecureEntryPoint: Bool { flags & 0x0001 != 0 }
  var isRevoked: Bool { flags & 0x0080 != 0 }

  var rdata: [UInt8] {
    var writer = DNSWireWriter()
    DNSRData.dnskey(self).encode(into: &writer)
    return writer.bytes
  }

  /// The key tag of RFC 4034 Appendix B.
  var keyTag: UInt16 {
    var accumulator: UInt32 = 0
    for (index, byte) in rdata.enumerated() {
      accumulator += index & 1 == 0 ? UInt32(byte) << 8 : UInt32(byte)
    }
    accumulator += accumulator >> 16 & 0xFFFF
    return UInt16(accumulator & 0xFFFF)
  }
}
