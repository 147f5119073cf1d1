/// The data of an NSEC record.
struct NSECRecord: Sendable, Hashable {
  var nextName: DNSName
  var types: [DNSRecordType]
}
