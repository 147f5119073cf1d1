@_spi(Runner) internal import InfraSpecCore

/// A transport that can carry DNS over TCP from the host's side (SSH `direct-tcpip`), so a query
/// gets the answer the host itself would get.
package protocol DNSTunneling: Sendable {
  var dnsConnector: any DNSStreamConnector { get }
}
