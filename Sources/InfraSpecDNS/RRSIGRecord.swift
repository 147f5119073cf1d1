@_spi(Runner) internal import InfraSpecCore

/// The data of an RRSIG record.
package struct RRSIGRecord: Sendable, Hashable {
  var typeCovered: DNSRecordType
  var algorithm: UInt8
  var labels: UInt8
  var originalTTL: UInt32
  var expiration: UInt32
  var inception: UInt32
  var keyTag: UInt16
  var signerName: DNSName
  var signature: [UInt8]

  /// The RDATA up to the signature, with the signer name in canonical form, as the signature covers it.
  var signedPrefix: [UInt8] {
    var writer = DNSWireWriter()
    writer.u16(typeCovered.rawValue)
    writer.u8(algorithm)
    writer.u8(labels)
    writer.u32(originalTTL)
    writer.u32(expiration)
    writer.u32(inception)
    writer.u16(keyTag)
    writer.name(signerName, canonical: true)
    return writer.bytes
  }
}
