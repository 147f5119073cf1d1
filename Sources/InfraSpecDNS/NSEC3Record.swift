@_spi(Runner) internal import InfraSpecCore

/// The data of an NSEC3 record.
package struct NSEC3Record: Sendable, Hashable {
  var hashAlgorithm: UInt8
  var flags: UInt8
  var iterations: UInt16
  var salt: [UInt8]
  var nextHashedOwner: [UInt8]
  var types: [DNSRecordType]

  var isOptOut: Bool { flags & 0x01 != 0 }
}
