@_spi(Runner) internal import InfraSpecCore

/// Zonemaster- and DNSViz-style audit rules: algorithms, signature lifetimes, TTLs, CDS/CDNSKEY,
/// and RRsets compared across servers.
extension DNSSECAudit {
  static let cds = DNSRecordType(rawValue: 59)
  static let cdnskey = DNSRecordType(rawValue: 60)

  /// Every algorithm in the DNSKEY set signs the apex SOA, NS and DNSKEY (RFC 6840 §5.11,
  /// Zonemaster DNSSEC13; DNSViz MISSING_RRSIG_FOR_ALG_*): a rollover half done fails here.
  package func everyAlgorithmSignsApex() async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let keys = try await zoneKeys()
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    let algorithms = Set(keys.map(\.algorithm)).sorted()
    var findings: [DNSSECFinding] = []
    for type in [DNSRecordType.soa, .ns, .dnskey] {
      let response = try await ask(zone, type)
      let rrset = response.records(in: response.answers, name: zone, type: type)
      let signatures = Self.signatures(in: response.answers, name: zone, type: type)
      for algorithm in algorithms {
        let signs = signatures.contains {
          $0.algorithm == algorithm
            && DNSSECValidator.verify(rrset: rrset, signature: $0, keys: keys) == .verified
            && DNSSECValidator.lifetime(of: $0, at: now) == .valid
        }
        if !signs {
          findings.append(
            .failed(
              .policy,
              "MISSING_RRSIG_FOR_ALG_\(type): algorithm \(algorithm) (\(DNSSECValidator.algorithmName(algorithm))) "
                + "is in the DNSKEY set of \(zone.text) but signs no \(type) (RFC 6840 §5.11)"))
        }
      }
    }
    if findings.isEmpty {
      let names = algorithms.map { "\($0) (\(DNSSECValidator.algorithmName($0)))" }.joined(separator: ", ")
      findings.append(.passed(.policy, "algorithm \(names) signs SOA, NS and DNSKEY"))
    }
    return findings
  }

  /// No signature of the zone lasts longer than `maximum` from inception to expiration, and none
  /// starts in the future (Zonemaster DNSSEC04; DNSViz INCEPTION_IN_FUTURE).
  package func signatureLifetime(atMost maximum: Duration) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    try await eachSignature { key, _, signature in
      let inception = DNSSECValidator.absoluteTime(signature.inception, near: now)
      let expiration = DNSSECValidator.absoluteTime(signature.expiration, near: now)
      let label = "RRSIG \(key.name.text)/\(key.type) by key \(signature.keyTag)"
      if inception > now {
        return
          "INCEPTION_IN_FUTURE: \(label) is not valid until \(Self.day(inception)) (\(relative(inception)))"
      }
      if expiration - inception > maximum.components.seconds {
        return "\(label) lasts \(Self.span(expiration - inception, coarse: true)) (\(Self.day(inception)) to "
          + "\(Self.day(expiration))), more than the \(Self.span(maximum.components.seconds, coarse: true)) allowed"
      }
      return nil
    }
  }

  /// Every RRset's TTL is shorter than what is left of its signatures' validity, so no resolver
  /// caches it past expiry (DNSViz TTL_BEYOND_EXPIRATION).
  package func ttlsWithinValidity() async throws(DNSSECAuditError) -> [DNSSECFinding] {
    try await eachSignature { key, rrset, signature in
      let expiration = DNSSECValidator.absoluteTime(signature.expiration, near: now)
      let ttl = Int64(max(rrset.map(\.ttl).max() ?? 0, signature.originalTTL))
      guard now + ttl > expiration else { return nil }
      return "TTL_BEYOND_EXPIRATION: \(key.name.text)/\(key.type) has TTL \(ttl)s, but its RRSIG by key "
        + "\(signature.keyTag) expires \(Self.day(expiration)) (\(relative(expiration)))"
    }
  }

  /// Runs `rule` on every signature of the zone (enumerated as for `signaturesValid()`); the last
  /// finding says what was covered.
  private func eachSignature(
    _ rule: (DNSSECZoneContent.Key, [DNSResourceRecord], RRSIGRecord) -> String?
  ) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let keys = try await zoneKeys()
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    let content = try await enumerate(keys: keys, withTypes: true)
    var findings: [DNSSECFinding] = []
    for key in content.order {
      for signature in content.signatures[key] ?? [] {
        if let problem = rule(key, content.rrsets[key] ?? [], signature) {
          findings.append(.failed(.lifetime, problem))
        }
      }
    }
    findings.append(.passed(.coverage, "\(content.coverage) checked"))
    return findings
  }

  /// The RRset `type` at `name` (the apex by default) is the same at every server listed as here.
  package func rrsetAgrees(
    _ type: DNSRecordType, at name: DNSName? = nil, servers: [DNSServer]
  ) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let owner = name ?? zone
    let here = try await rrsetData(owner, type, at: server)
    var findings: [DNSSECFinding] = []
    for other in servers {
      let there = try await rrsetData(owner, type, at: other)
      if there == here { continue }
      let missing = here.subtracting(there).count
      let extra = there.subtracting(here).count
      // Behind one anycast address the NSID says which node answered.
      let otherName = await named(other)
      let serverName = await named(server)
      findings.append(
        .failed(
          .serial,
          "\(otherName) serves another \(owner.text)/\(type) RRset than \(serverName): \(missing) of the "
            + "\(here.count) records here missing there, \(extra) there not here"
            + describe(there.subtracting(here), type: type)))
    }
    if findings.isEmpty {
      let names = ([server] + servers).map(\.name).joined(separator: ", ")
      findings.append(.passed(.serial, "\(names) serve the same \(here.count) \(owner.text)/\(type) records"))
    }
    return findings
  }

  private func rrsetData(
    _ name: DNSName, _ type: DNSRecordType, at target: DNSServer
  ) async throws(DNSSECAuditError) -> Set<[UInt8]> {
    let response = try await ask(name, type, at: target, accepting: [.noError, .nameError])
    return Set(
      response.records(in: response.answers, name: name, type: type).map { $0.rdata.wire(canonical: true) })
  }

  private func describe(_ data: Set<[UInt8]>, type: DNSRecordType) -> String {
    guard type == .dnskey || type == Self.cdnskey else { return "" }
    let tags = data.compactMap(Self.key(fromWire:)).map { String($0.keyTag) }.sorted()
    return tags.isEmpty ? "" : " (key \(tags.joined(separator: ", ")) there)"
  }

  /// CDS and CDNSKEY agree with each other and with the DNSKEY set, are signed by a key the
  /// parent's DS points to, or are the RFC 8078 delete form (RFC 7344, RFC 8078; Zonemaster DNSSEC15–17).
  package func cdsMatchesKeys(parentServer: DNSServer? = nil) async throws(DNSSECAuditError)
    -> [DNSSECFinding]
  {
    let keyResponse = try await ask(zone, .dnskey)
    let keys = Self.keys(in: keyResponse, zone: zone)
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    let cdsResponse = try await ask(zone, Self.cds)
    let cdnskeyResponse = try await ask(zone, Self.cdnskey)
    let cdsRecords = cdsResponse.records(in: cdsResponse.answers, name: zone, type: Self.cds)
    let cdnskeyRecords = cdnskeyResponse.records(in: cdnskeyResponse.answers, name: zone, type: Self.cdnskey)
    let cds = cdsRecords.compactMap { Self.ds(fromWire: $0.rdata.wire()) }
    let cdnskeys = cdnskeyRecords.compactMap { Self.key(fromWire: $0.rdata.wire()) }
    guard !cds.isEmpty || !cdnskeys.isEmpty else {
      return [.failed(.delegation, "\(zone.text) publishes no CDS or CDNSKEY")]
    }
    var findings: [DNSSECFinding] = []
    let deleteCDS = cds.contains { $0.algorithm == 0 }
    let deleteKey = cdnskeys.contains { $0.algorithm == 0 }
    if deleteCDS || deleteKey {
      if (deleteCDS && cds.count > 1) || (deleteKey && cdnskeys.count > 1)
        || (deleteCDS != deleteKey && !cds.isEmpty && !cdnskeys.isEmpty)
      {
        findings.append(
          .failed(.delegation, "the RFC 8078 delete form is mixed with other CDS or CDNSKEY records"))
      } else {
        findings.append(.passed(.delegation, "CDS/CDNSKEY ask the parent to delete the DS (RFC 8078 §4)"))
      }
    } else {
      for record in cds {
        let label = "CDS \(record.keyTag)/\(record.algorithm)/\(record.digestName)"
        let match = keys.first { DNSSECValidator.matches(record, key: $0, owner: zone) == true }
        if match == nil {
          findings.append(.failed(.delegation, "\(label) matches no DNSKEY of \(zone.text)"))
        }
        if let match, !cdnskeys.isEmpty, !cdnskeys.contains(match) {
          findings.append(
            .failed(.delegation, "\(label) points to DNSKEY \(match.keyTag), which no CDNSKEY names"))
        }
      }
      for key in cdnskeys {
        if !keys.contains(key) {
          findings.append(
            .failed(.delegation, "CDNSKEY \(key.keyTag) is not in the DNSKEY set of \(zone.text)"))
        } else if !cds.isEmpty,
          !cds.contains(where: { DNSSECValidator.matches($0, key: key, owner: zone) == true })
        {
          findings.append(.failed(.delegation, "CDNSKEY \(key.keyTag) has no CDS pointing to it"))
        }
      }
    }
    // RFC 7344 §4.1: the parent acts only on CDS signed by a key its DS points to.
    if let parent = zone.parent {
      let dsResponse = try await ask(
        zone, .ds, at: parentServer ?? server, accepting: [.noError, .nameError])
      let parentDS: [DSRecord] = dsResponse.records(in: dsResponse.answers, name: zone, type: .ds).compactMap
      {
        if case .ds(let data) = $0.rdata { data } else { nil }
      }
      if !parentDS.isEmpty {
        let trusted = keys.filter { key in
          parentDS.contains { DNSSECValidator.matches($0, key: key, owner: zone) == true }
        }
        for (records, response, type) in [
          (cdsRecords, cdsResponse, Self.cds), (cdnskeyRecords, cdnskeyResponse, Self.cdnskey),
        ]
        where !records.isEmpty {
          let signed = Self.signatures(in: response.answers, name: zone, type: type).contains {
            DNSSECValidator.verify(rrset: records, signature: $0, keys: trusted) == .verified
              && DNSSECValidator.lifetime(of: $0, at: now) == .valid
          }
          if !signed {
            findings.append(
              .failed(
                .delegation, "the \(type) RRset is not signed by a key the DS at \(parent.text) points to"))
          }
        }
      }
    }
    if findings.isEmpty {
      let tags = cds.map { String($0.keyTag) }.joined(separator: ", ")
      findings.append(.passed(.delegation, "CDS \(tags) and CDNSKEY match the DNSKEY set of \(zone.text)"))
    }
    return findings
  }

  /// CDS and CDNSKEY are the same at every server listed.
  package func cdsAgrees(servers: [DNSServer]) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    try await rrsetAgrees(Self.cds, servers: servers)
      + (try await rrsetAgrees(Self.cdnskey, servers: servers))
  }

  static func ds(fromWire bytes: [UInt8]) -> DSRecord? {
    guard bytes.count >= 5 else { return nil }
    return DSRecord(
      keyTag: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), algorithm: bytes[2], digestType: bytes[3],
      digest: Array(bytes[4...]))
  }

  static func key(fromWire bytes: [UInt8]) -> DNSKEYRecord? {
    guard bytes.count >= 5 else { return nil }
    return DNSKEYRecord(
      flags: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), protocol: bytes[2], algorithm: bytes[3],
      publicKey: Array(bytes[4...]))
  }
}
