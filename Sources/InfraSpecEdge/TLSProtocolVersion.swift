@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports

/// A TLS protocol version, for `TLS(…).rejects(.tls1_1)` and `.protocolVersion(.tls1_3)`.
public enum TLSProtocolVersion: String, Sendable, CaseIterable, CustomStringConvertible {
  case tls1_0 = "TLSv1.0"
  case tls1_1 = "TLSv1.1"
  case tls1_2 = "TLSv1.2"
  case tls1_3 = "TLSv1.3"

  /// As OpenSSL and nginx name it: `TLSv1.2`.
  public var description: String { rawValue }
}
