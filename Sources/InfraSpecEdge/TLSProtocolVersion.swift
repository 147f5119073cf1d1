@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports

/// A TLS protocol version, for `TLS(…).rejects(.tls1_1)` and `.protocolVersion(.tls1_3)`.
public enum TLSProtocolVersion: String, Sendable, CaseIterable, CustomStringConvertible {
  /// TLS 1.0 (RFC 2246), deprecated by RFC 8996.
  case tls1_0 = "TLSv1.0"
  /// TLS 1.1 (RFC 4346), deprecated by RFC 8996.
  case tls1_1 = "TLSv1.1"
  /// TLS 1.2 (RFC 5246).
  case tls1_2 = "TLSv1.2"
  /// TLS 1.3 (RFC 8446).
  case tls1_3 = "TLSv1.3"

  /// As OpenSSL and nginx name it: `TLSv1.2`.
  public var description: String { rawValue }
}
