@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
public import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// The TLS endpoint a server presents for one name, handshaken by InfraSpec's own client
/// (OpenSSL) from the host's point of view.
///
///     TLS("www.pop.test", port: 8443, via: "127.0.0.1").certificateValid(forAtLeast: .days(30))
///       .covers("www.pop.test").chainVerifies(caFile: "/etc/pop/ca.pem").rejects(.tls1_1)
public struct TLS: Resource {
  public var __chain: __ResourceChain
  let endpoint: TLSEndpoint

  /// `name` is the SNI and the name certificates must cover; `via` is the address to connect to
  /// (one PoP, not whichever the resolver picks); `timeout` bounds each handshake.
  public init(_ name: String, port: UInt16 = 443, via: String? = nil, timeout: Duration = .seconds(10)) {
    endpoint = TLSEndpoint(serverName: name, port: port, via: via, timeout: timeout)
    __chain = __ResourceChain(subject: "tls \(endpoint)", plan: TLSProbe.handshake(endpoint))
  }

  /// Every served certificate, leaf and intermediates, stays valid at least this long; the
  /// failure names the one that expires first.
  public func certificateValid(
    forAtLeast duration: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let expected = "valid for at least \(DNSSEC.days(duration))"
    return adding("certificate", expected: expected, file: file, line: line, column: column) {
      (facts: TLSFacts) in
      CertificateJudge.validity(
        facts.handshake.chain, forAtLeast: duration, at: facts.checkedAt, expected: expected)
    }
  }

  /// The leaf certificate covers `name` (subjectAltName, wildcards per RFC 6125).
  public func covers(_ name: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "certificate", expected: "to cover \(name)", title: "covers \(name)", file: file, line: line,
      column: column
    ) {
      (facts: TLSFacts) in
      CertificateJudge.covers(facts.handshake.chain.first, name)
    }
  }

  /// The served chain verifies up to a CA in `caFile`, a PEM file read on the host.
  public func chainVerifies(
    caFile: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    adding(
      "chain", expected: "to verify against \(caFile)", title: "chain verifies against \(caFile)", file: file,
      line: line, column: column, plan: CertificateProbe.chainAndAnchors(endpoint, caFile: caFile)
    ) { (facts: CertificateProbe.ChainAndAnchors) in
      CertificateJudge.verifies(facts, expected: "to verify against \(caFile)")
    }
  }

  /// The served chain verifies up to a CA the host's OpenSSL trusts by default: its system bundle,
  /// or `SSL_CERT_FILE` and `SSL_CERT_DIR` when the host's environment sets them.
  public func chainVerifies(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding(
      "chain", expected: "to verify against the system CA bundle", title: "chain verifies", file: file,
      line: line, column: column, plan: CertificateProbe.chainAndAnchors(endpoint, caFile: nil)
    ) { (facts: CertificateProbe.ChainAndAnchors) in
      facts.anchors.isEmpty
        ? .fail(
          expected: "to verify against the system CA bundle",
          actual: "the host's default trust store is empty")
        : CertificateJudge.verifies(facts, expected: "to verify against the system CA bundle")
    }
  }

  /// A handshake limited to `version` succeeds.
  public func accepts(
    _ version: TLSProtocolVersion, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    adding(
      "protocol", expected: "\(version) accepted", title: "accepts \(version)", file: file, line: line,
      column: column, plan: TLSProbe.version(endpoint, version)
    ) { (facts: TLSVersionFacts) in
      facts.refusal.map { .fail(expected: "\(version) accepted", actual: "refused (\($0))") } ?? .pass
    }
  }

  /// A handshake limited to `version` is refused by the server.
  public func rejects(
    _ version: TLSProtocolVersion, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    adding(
      "protocol", expected: "\(version) rejected", title: "rejects \(version)", file: file, line: line,
      column: column, plan: TLSProbe.version(endpoint, version)
    ) { (facts: TLSVersionFacts) in
      facts.refusal == nil ? .fail(expected: "\(version) rejected", actual: "\(version) accepted") : .pass
    }
  }

  /// The version a handshake offering every version settles on.
  public func protocolVersion(
    _ version: TLSProtocolVersion, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    adding("protocol", expected: version.description, file: file, line: line, column: column) {
      (facts: TLSFacts) in
      expectEqual(version.description, facts.handshake.version.description)
    }
  }

  /// The leaf's public key has this SHA-256 SPKI pin (base64, as `openssl pkey -pubin -outform
  /// der | openssl dgst -sha256 -binary | base64` prints it; a `sha256//` prefix is accepted).
  public func publicKeyPin(
    sha256 pin: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let wanted = CertificateJudge.pin(pin)
    return adding("public key pin", expected: "sha256//\(wanted)", file: file, line: line, column: column) {
      (facts: TLSFacts) in
      guard let leaf = facts.handshake.chain.first else {
        return .fail(expected: "sha256//\(wanted)", actual: "no certificate")
      }
      return expectEqual("sha256//\(wanted)", "sha256//\(leaf.spkiSHA256)")
    }
  }

  /// Offering `h2` and `http/1.1`, the server selects `selected` by ALPN.
  public func alpn(_ selected: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "alpn", expected: selected, file: file, line: line, column: column,
      plan: TLSProbe.handshake(endpoint, alpn: ["h2", "http/1.1"])
    ) { (facts: TLSFacts) in
      expectEqual(selected, facts.handshake.alpn ?? "none")
    }
  }

  /// The server staples an OCSP response to the handshake.
  public func staplesOCSP(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding(
      "ocsp", expected: "a stapled OCSP response", title: "staples OCSP", file: file, line: line,
      column: column
    ) {
      (facts: TLSFacts) in
      facts.handshake.ocspStapled ? .pass : .fail(expected: "a stapled OCSP response", actual: "none")
    }
  }

  /// The leaf certificate's issuer (RFC 2253 text) contains `text`.
  public func issuer(
    contains text: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    adding(
      "issuer", expected: "to contain \(TextMatch.show(text))", title: "issuer contains \(text)", file: file,
      line: line, column: column
    ) {
      (facts: TLSFacts) in
      TextMatch.contains(text, in: facts.handshake.chain.first?.issuer ?? "")
    }
  }
}
