@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports

/// An HTTP/1.1 response as read: the headers whole, the body only up to a bound.
package struct HTTPResponse: Sendable {
  package var status: Int
  var reason: String
  /// In order, names as sent.
  var headers: [(name: String, value: String)]
  /// The body's first bytes, at most the reader's bound.
  package var body: [UInt8]
  /// The body was longer than the bound; only `body` was kept and the rest not read.
  package var bodyTruncated: Bool
  /// Base64-free hex SHA-256 of the whole body; nil when truncated.
  package var bodySHA256: String?
  /// From sending the request to the last body byte read.
  package var elapsed: Duration
  /// Wall clock (seconds since the epoch) when the response arrived, for `Age`/`Expires` maths.
  package var receivedAt: Int64

  /// The first value of `name`: dates hold commas, so their values cannot be joined.
  package func firstHeader(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  /// All values of `name` (case-insensitive) joined by ", ", as RFC 9110 allows; nil when absent.
  package func header(_ name: String) -> String? {
    let values = headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    return values.isEmpty ? nil : values.joined(separator: ", ")
  }
}
