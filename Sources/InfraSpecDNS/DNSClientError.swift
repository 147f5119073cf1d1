@_spi(Runner) internal import InfraSpecCore

/// Why a DNS query got no usable answer: the check could not be made, which is not a failed check.
package struct DNSClientError: Error, Sendable, Equatable, CustomStringConvertible {
  enum Code: String, Sendable, Equatable {
    case badServerAddress
    case socketFailed
    case connectionFailed
    case timedOut
    case connectionClosed
    case malformedResponse
    case mismatchedResponse
    case truncated
  }

  var code: Code
  var server: String
  var port: UInt16
  var detail: String

  package var description: String {
    let host = server.contains(":") ? "[\(server)]:\(port)" : "\(server):\(port)"
    return "DNS query to \(host) failed: \(detail)"
  }
}
