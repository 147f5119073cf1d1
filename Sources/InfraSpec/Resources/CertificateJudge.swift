@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// The comparisons TLS and Certificate share: validity over a chain, name coverage, verification.
enum CertificateJudge {
  /// Every certificate stays valid at least `duration` after `now`; the failure names the one
  /// that expires first, and says whether it is the leaf or an intermediate.
  static func validity(
    _ chain: [X509Certificate], forAtLeast duration: Duration, at now: Int64, expected: String
  )
    -> Verdict
  {
    guard let first = chain.indices.min(by: { chain[$0].notAfter < chain[$1].notAfter }) else {
      return .fail(expected: expected, actual: "no certificate")
    }
    if let early = chain.indices.first(where: { chain[$0].notBefore > now }) {
      return .fail(
        expected: expected,
        actual: "\(role(early, of: chain)) is not valid before \(date(chain[early].notBefore))")
    }
    let certificate = chain[first]
    let left = certificate.notAfter - now
    guard left < duration.components.seconds else { return .pass }
    let when = left < 0 ? "expired \(span(-left)) ago" : "expires in \(span(left))"
    let firstOf = chain.count > 1 ? " expires first:" : ""
    return .fail(
      expected: expected,
      actual: "\(role(first, of: chain))\(firstOf) \(when) (\(date(certificate.notAfter)))")
  }

  static func covers(_ leaf: X509Certificate?, _ name: String) -> Verdict {
    guard let leaf else { return .fail(expected: "to cover \(name)", actual: "no certificate") }
    if leaf.covers(name) { return .pass }
    let names = leaf.dnsNames + leaf.ipAddresses
    return .fail(
      expected: "to cover \(name)",
      actual: "\(leaf.name) names " + (names.isEmpty ? "no subjectAltName" : names.joined(separator: ", ")))
  }

  static func verifies(_ facts: CertificateProbe.ChainAndAnchors, expected: String) -> Verdict {
    guard let problem = ChainVerifier.problem(chain: facts.chain, anchors: facts.anchors, at: facts.checkedAt)
    else {
      return .pass
    }
    return .fail(expected: expected, actual: problem)
  }

  /// A pin without its `sha256//` or `sha256/` prefix.
  static func pin(_ text: String) -> String {
    var pin = Substring(text)
    for prefix in ["sha256//", "sha256/"] where pin.hasPrefix(prefix) {
      pin = pin.dropFirst(prefix.count)
      break
    }
    return String(pin)
  }

  /// `leaf www.pop.test`, `intermediate Edge CA 2`.
  static func role(_ index: Int, of chain: [X509Certificate]) -> String {
    let certificate = chain[index]
    let kind = index == 0 ? "leaf" : certificate.isCA ? "intermediate" : "certificate \(index + 1)"
    return "\(kind) \(certificate.name)"
  }

  /// `2026-12-06T21:00:00Z`.
  static func date(_ seconds: Int64) -> String {
    Timestamp(millisecondsSince1970: seconds * 1000).secondsWithoutZone + "Z"
  }

  /// `5 days`, `3 hours`, `12 minutes`.
  static func span(_ seconds: Int64) -> String {
    if seconds >= 2 * 86_400 {
      let hours = seconds % 86_400 / 3600
      return "\(seconds / 86_400) days" + (hours > 0 ? " \(hours) hours" : "")
    }
    if seconds >= 2 * 3600 { return "\(seconds / 3600) hours" }
    return "\(max(seconds / 60, 0)) minutes"
  }
}
