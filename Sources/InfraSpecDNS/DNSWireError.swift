@_spi(Runner) internal import InfraSpecCore

/// Why a DNS message or name could not be decoded, encoded or parsed.
package struct DNSWireError: Error, Sendable, Equatable, CustomStringConvertible {
  enum Code: String, Sendable, Equatable {
    case truncated
    case badPointer
    case badLabelType
    case labelTooLong
    case nameTooLong
    case emptyLabel
    case badRData
    case countTooLarge
    case badPresentation
    case messageTooLarge
  }

  var code: Code
  var offset: Int
  var detail: String

  init(_ code: Code, at offset: Int, _ detail: String) {
    self.code = code
    self.offset = offset
    self.detail = detail
  }

  package var description: String {
    "malformed DNS data at byte \(offset): \(detail)"
  }
}
