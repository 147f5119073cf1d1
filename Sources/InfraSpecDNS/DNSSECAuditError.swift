/// Why a DNSSEC audit could not check something: not a failed check, but no verdict at all.
struct DNSSECAuditError: Error, Sendable, Equatable, CustomStringConvertible {
  enum Code: String, Sendable, Equatable {
    case queryFailed
    case unexpectedResponseCode
    case notAuthoritative
    case noRecords
    case badZone
    /// Something InfraSpec does not implement, such as a signing algorithm: no verdict.
    case unsupported
  }

  var code: Code
  var detail: String

  var description: String { detail }
}
