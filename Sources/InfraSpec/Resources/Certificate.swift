@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A PEM certificate file on the host (a leaf, optionally followed by its chain), read through
/// the transport and parsed here by OpenSSL.
///
///     Certificate("/etc/pop/tls/pop.pem").validFor(atLeast: .days(30)).covers("www.pop.test")
///       .matchesKey("/etc/pop/tls/pop.key")
public struct Certificate: Resource {
  public var __chain: __ResourceChain
  let path: String

  /// A PEM certificate file on the host (the first certificate in it).
  public init(_ path: String) {
    self.path = path
    __chain = __ResourceChain(subject: "certificate \(path)", plan: CertificateProbe.file(path))
  }

  /// The file exists.
  public func exists(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("exists", wanted: true, expected: "present", file: file, line: line, column: column)
  }

  /// Every certificate in the file stays valid at least this long; the failure names the one
  /// that expires first.
  public func validFor(
    atLeast duration: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let expected = "valid for at least \(DNSSEC.days(duration))"
    return adding("validity", expected: expected, title: expected, file: file, line: line, column: column) {
      (facts: CertificateProbe.FileFacts) in
      CertificateJudge.validity(
        facts.certificates, forAtLeast: duration, at: facts.checkedAt, expected: expected)
    }
  }

  /// The first certificate covers `name` (subjectAltName, wildcards per RFC 6125).
  public func covers(_ name: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "names", expected: "to cover \(name)", title: "covers \(name)", file: file, line: line, column: column
    ) {
      (facts: CertificateProbe.FileFacts) in
      CertificateJudge.covers(facts.certificates.first, name)
    }
  }

  /// The first certificate's issuer (RFC 2253 text, `CN=…,O=…`) contains `text`.
  public func issuer(
    contains text: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    adding(
      "issuer", expected: "to contain \(TextMatch.show(text))", title: "issuer contains \(text)", file: file,
      line: line, column: column
    ) { (facts: CertificateProbe.FileFacts) in
      TextMatch.contains(text, in: facts.certificates.first?.issuer ?? "")
    }
  }

  /// The private key in `keyPath` (PEM, unencrypted) belongs to the first certificate.
  public func matchesKey(
    _ keyPath: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    adding(
      "key", expected: "to match \(keyPath)", title: "matches key \(keyPath)", file: file, line: line,
      column: column, plan: CertificateProbe.file(path, key: keyPath)
    ) { (facts: CertificateProbe.FileFacts) in
      guard let leaf = facts.certificates.first, let key = facts.key else {
        return .cannotCheck("no certificate or key read")
      }
      do throws(ProbeError) {
        return try leaf.matches(privateKeyPEM: key)
          ? .pass : .fail(expected: "to match \(keyPath)", actual: "\(leaf.name) has another public key")
      } catch {
        return .cannotCheck("\(keyPath): \(error.message)")
      }
    }
  }

  /// Each certificate is issued by the next one (a leaf first, then its intermediates in order),
  /// as nginx and most servers need the file.
  public func isInChainOrder(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding(
      "chain order", expected: "each certificate issued by the next", title: "is in chain order", file: file,
      line: line, column: column
    ) { (facts: CertificateProbe.FileFacts) in
      let certificates = facts.certificates
      for index in certificates.indices.dropLast()
      where certificates[index].issuer != certificates[index + 1].subject {
        return .fail(
          expected: "each certificate issued by the next",
          actual:
            "certificate \(index + 1) (\(certificates[index].name)) is issued by \(certificates[index].issuer),"
            + " followed by \(certificates[index + 1].subject)")
      }
      return .pass
    }
  }

  /// The file's chain verifies up to a CA in `caFile`, a PEM file on the host.
  public func verifies(caFile: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "chain", expected: "to verify against \(caFile)", title: "verifies against \(caFile)", file: file,
      line: line,
      column: column, plan: CertificateProbe.fileAndAnchors(path, caFile: caFile)
    ) { (facts: CertificateProbe.ChainAndAnchors) in
      CertificateJudge.verifies(facts, expected: "to verify against \(caFile)")
    }
  }
}
