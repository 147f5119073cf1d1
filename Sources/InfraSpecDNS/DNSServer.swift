@_spi(Runner) internal import InfraSpecCore

/// An authoritative server to ask: a name for messages, and the address and port to send queries to.
package struct DNSServer: Sendable, Hashable {
  var name: String
  var address: String
  var port: UInt16 = 53

  package init(name: String, address: String, port: UInt16 = 53) {
    self.name = name
    self.address = address
    self.port = port
  }

  var endpoint: String {
    address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
  }
}
