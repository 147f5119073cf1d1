@_spi(Runner) internal import InfraSpecCore

/// The data of a DS record: which key of the child zone the parent vouches for.
package struct DSRecord: Sendable, Hashable {
  var keyTag: UInt16
  var algorithm: UInt8
  var digestType: UInt8
  var digest: [UInt8]

  /// The digest type as people name it (`SHA-256`).
  var digestName: String {
    switch digestType {
    case 1: "SHA-1"
    case 2: "SHA-256"
    case 4: "SHA-384"
    default: "digest type \(digestType)"
    }
  }
}
