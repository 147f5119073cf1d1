@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import COpenSSL

extension TLSProtocolVersion {
  var openSSL: Int32 {
    switch self {
    case .tls1_0: TLS1_VERSION
    case .tls1_1: TLS1_1_VERSION
    case .tls1_2: TLS1_2_VERSION
    case .tls1_3: TLS1_3_VERSION
    }
  }

  init(openSSL value: Int32) {
    self = Self.allCases.first { $0.openSSL == value } ?? .tls1_0
  }
}
