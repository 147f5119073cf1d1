@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// Where one version stands relative to another.
enum VersionOrder: Sendable, Hashable {
  case older
  case same
  case newer

  init(sign: Int) {
    self = sign < 0 ? .older : (sign > 0 ? .newer : .same)
  }

  /// The order seen from the other side of the comparison.
  var reversed: VersionOrder {
    switch self {
    case .older: .newer
    case .same: .same
    case .newer: .older
    }
  }
}
