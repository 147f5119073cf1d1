@_spi(Runner) internal import InfraSpecCore

/// The data of an SOA record.
package struct SOARecord: Sendable, Hashable {
  var primaryServer: DNSName
  var responsible: DNSName
  var serial: UInt32
  var refresh: UInt32
  var retry: UInt32
  var expire: UInt32
  var minimum: UInt32
}
