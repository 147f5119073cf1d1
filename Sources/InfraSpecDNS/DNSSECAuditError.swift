@_spi(Runner) internal import InfraSpecCore

/// Why a DNSSEC audit could not check something: not a failed check, but no verdict at all.
package struct DNSSECAuditError: Error, Sendable, Equatable, CustomStringConvertible {
  package enum Code: String, Sendable, Equatable {
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

  package init(code: Code, detail: String) {
    self.code = code
    self.detail = detail
  }

  package var description: String { detail }
}
