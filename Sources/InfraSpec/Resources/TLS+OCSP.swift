@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecEdge

/// What an OCSP response says about a certificate.
public enum OCSPStatus: Sendable, Equatable, CustomStringConvertible {
  /// Not revoked.
  case good
  /// Revoked by its CA.
  case revoked
  /// The responder does not know the certificate.
  case unknown

  public var description: String {
    switch self {
    case .good: "good"
    case .revoked: "revoked"
    case .unknown: "unknown"
    }
  }
}

extension TLS {
  /// The server staples an OCSP response that says `status` about the served leaf, signed by the
  /// leaf's issuer (or a responder it delegated to, from the served chain) and still current
  /// (its next update has not passed). A client that requires stapling rejects a stale,
  /// unsigned or revoked staple, so each of those fails, naming the leaf, its status and the dates.
  ///
  ///     TLS("www.pop.test", port: 8443, via: "127.0.0.1").ocspStaple(.good)
  public func ocspStaple(
    _ status: OCSPStatus, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let expected = "a current, signed OCSP staple saying \(status)"
    return adding(
      "ocsp", expected: expected, title: "ocsp staple \(status)", file: file, line: line, column: column
    ) {
      (facts: TLSFacts) in
      let staple: OCSPStaple
      switch Self.staple(facts) {
      case .verdict(let verdict): return verdict
      case .read(let read): staple = read
      }
      let leaf = CertificateJudge.role(0, of: facts.handshake.chain)
      guard let found = staple.status else {
        return .fail(expected: expected, actual: "the staple has no status for \(leaf)")
      }
      let said = Self.describe(found, staple)
      if OCSPStatus(found) != status { return .fail(expected: expected, actual: "\(leaf) \(said)") }
      if let problem = staple.signatureProblem {
        return .fail(expected: expected, actual: "\(leaf) \(said), but \(problem)")
      }
      if let next = staple.nextUpdate, next <= facts.checkedAt {
        return .fail(
          expected: expected,
          actual:
            "\(leaf) \(said), but its next update passed \(CertificateJudge.span(facts.checkedAt - next)) ago"
        )
      }
      return .pass
    }
  }

  /// The stapled OCSP response stays current at least `duration` more: its next update is that far
  /// away. A staple the server stopped refreshing (a staple file nobody renews, a responder it
  /// cannot reach) fails here before clients start rejecting it.
  ///
  ///     TLS("www.pop.test", port: 8443, via: "127.0.0.1").ocspStapleValid(forAtLeast: .days(2))
  public func ocspStapleValid(
    forAtLeast duration: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let expected = "an OCSP staple current for at least \(DNSSEC.days(duration))"
    return adding(
      "ocsp", expected: expected, title: "ocsp staple valid for at least \(DNSSEC.days(duration))",
      file: file,
      line: line, column: column
    ) {
      (facts: TLSFacts) in
      let staple: OCSPStaple
      switch Self.staple(facts) {
      case .verdict(let verdict): return verdict
      case .read(let read): staple = read
      }
      let leaf = CertificateJudge.role(0, of: facts.handshake.chain)
      guard let found = staple.status else {
        return .fail(expected: expected, actual: "the staple has no status for \(leaf)")
      }
      guard let next = staple.nextUpdate else {
        // RFC 6960: no nextUpdate means newer information is always available; nothing to last.
        return .fail(
          expected: expected, actual: "\(leaf) \(Self.describe(found, staple)), with no next update")
      }
      let left = next - facts.checkedAt
      if left >= duration.components.seconds { return .pass }
      let when = left > 0 ? "in \(CertificateJudge.span(left))" : "\(CertificateJudge.span(-left)) ago"
      return .fail(
        expected: expected,
        actual:
          "\(leaf) \(Self.describe(found, staple)): next update \(when) (\(CertificateJudge.date(next)))")
    }
  }

  /// The staple read, or the verdict when there is none to judge.
  enum StapleReading {
    case read(OCSPStaple)
    case verdict(Verdict)
  }

  /// None stapled fails (a server that should staple and does not), as does a responder's answer
  /// without a status; a staple OpenSSL cannot read is could-not-check.
  static func staple(_ facts: TLSFacts) -> StapleReading {
    guard let der = facts.handshake.ocspResponse else {
      return .verdict(.fail(expected: "a stapled OCSP response", actual: "no OCSP response stapled"))
    }
    do throws(ProbeError) {
      let staple = try OCSPStaple.read(der: der, chain: facts.handshake.chain)
      guard staple.responseStatus == "successful" else {
        return .verdict(
          .fail(
            expected: "a stapled OCSP response",
            actual: "the stapled response is \(staple.responseStatus), with no certificate status"))
      }
      return .read(staple)
    } catch {
      return .verdict(.cannotCheck(error.message))
    }
  }

  /// `good (this update 2026-12-01T10:00:00Z, next update 2026-12-08T10:00:00Z)`,
  /// `revoked on 2026-11-30T09:00:00Z (keyCompromise)`.
  static func describe(_ status: OCSPStaple.Status, _ staple: OCSPStaple) -> String {
    let dates =
      [
        staple.thisUpdate.map { "this update \(CertificateJudge.date($0))" },
        staple.nextUpdate.map { "next update \(CertificateJudge.date($0))" },
      ].compactMap { $0 }.joined(separator: ", ")
    let suffix = dates.isEmpty ? "" : " (\(dates))"
    switch status {
    case .good: return "good" + suffix
    case .unknown: return "unknown to the responder" + suffix
    case .revoked(let at, let reason):
      return "revoked" + (at.map { " on \(CertificateJudge.date($0))" } ?? "")
        + (reason.map { ", \($0)" } ?? "")
        + suffix
    }
  }
}

extension OCSPStatus {
  init(_ status: OCSPStaple.Status) {
    switch status {
    case .good: self = .good
    case .revoked: self = .revoked
    case .unknown: self = .unknown
    }
  }
}
