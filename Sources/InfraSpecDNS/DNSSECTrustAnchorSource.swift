@_spi(Runner) internal import InfraSpecCore
internal import FoundationEssentials
internal import Glibc

/// Reads a trust anchor given as text or, when it names a file, from that file.
package enum DNSSECTrustAnchorSource {
  package static func load(_ text: String) throws(DNSSECAuditError) -> DNSSECTrustAnchor {
    var content = text
    let looksLikeRecord = text.contains(" DS ") || text.contains(" DNSKEY ") || text.contains("trust-anchors")
    if !looksLikeRecord {
      guard let data = FileManager.default.contents(atPath: text),
        let read = String(data: data, encoding: .utf8)
      else {
        throw DNSSECAuditError(
          code: .badZone,
          detail: "the trust anchor \(text) is neither a DS or DNSKEY record nor a readable file")
      }
      content = read
    }
    do {
      return try DNSSECTrustAnchor(parsing: content)
    } catch {
      throw DNSSECAuditError(code: .badZone, detail: "trust anchor: \(error.description)")
    }
  }
}
