@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS

extension DNSSEC {
  /// Every RSA key of the zone has at least `bits` bits (Zonemaster DNSSEC14): keys under 512
  /// bits (1024 for RSASHA512) or over 4096 fail whatever `bits` says. A zone without RSA keys
  /// passes.
  ///
  ///     DNSSEC("example.com", server: "192.0.2.53").rsaKeySize(atLeast: 2048)
  public func rsaKeySize(
    atLeast bits: Int = 2048, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    auditing(
      "rsa key size", expected: "RSA keys of at least \(bits) bits", title: "RSA keys at least \(bits) bits",
      what: "rsa \(bits)", file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.rsaKeySizes(atLeast: bits) }
  }

  /// The NSEC3 chain and NSEC3PARAM use no extra iterations, no salt and no opt-out (RFC 9276
  /// §3.1); a zone that denies with NSEC passes.
  ///
  ///     DNSSEC("example.com", server: "192.0.2.53").nsec3FollowsRFC9276()
  public func nsec3FollowsRFC9276(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self
  {
    auditing(
      "nsec3 parameters", expected: "NSEC3 with 0 iterations, no salt, no opt-out (RFC 9276)",
      title: "NSEC3 follows RFC 9276", what: "nsec3 9276", file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.nsec3FollowsRFC9276() }
  }

  /// The server names itself with an NSID (RFC 5001), `expected` when given: behind one anycast
  /// address, which node answers.
  ///
  ///     DNSSEC("example.com", server: "192.0.2.53").reportsNSID("fra1-a")
  public func reportsNSID(
    _ expected: String? = nil, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    auditing(
      "nsid", expected: expected.map { "NSID \($0)" } ?? "an NSID",
      title: expected.map { "reports NSID \($0)" } ?? "reports an NSID", what: "nsid \(expected ?? "")",
      file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.reportsNSID(expected) }
  }
}
