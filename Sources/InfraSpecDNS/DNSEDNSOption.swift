@_spi(Runner) internal import InfraSpecCore

/// One option inside an OPT record, kept as raw bytes.
struct DNSEDNSOption: Sendable, Hashable {
  var code: UInt16
  var data: [UInt8]
}
