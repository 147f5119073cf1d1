@_spi(Runner) internal import InfraSpecCore

/// One entry of a message's question section.
struct DNSQuestion: Sendable, Hashable, CustomStringConvertible {
  var name: DNSName
  var type: DNSRecordType
  var recordClass: UInt16 = 1

  var description: String {
    "\(name)\t\t\(DNSResourceRecord.className(recordClass))\t\(type)"
  }
}
