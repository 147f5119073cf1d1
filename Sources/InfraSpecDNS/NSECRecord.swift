@_spi(Runner) internal import InfraSpecCore

/// The data of an NSEC record.
package struct NSECRecord: Sendable, Hashable {
  var nextName: DNSName
  var types: [DNSRecordType]
}
