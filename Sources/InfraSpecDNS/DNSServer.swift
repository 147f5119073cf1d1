/// An authoritative server to ask: a name for messages, and the address and port to send queries to.
struct DNSServer: Sendable, Hashable {
  var name: String
  var address: String
  var port: UInt16 = 53

  var endpoint: String {
    address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
  }
}
