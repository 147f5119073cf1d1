@_spi(Runner) internal import InfraSpecCore

/// Whole-zone checks: every RRset the server lets us enumerate, not just the apex.
extension DNSSECAudit {
  /// More names than this in a walk is not a zone a check should walk name by name.
  static let walkLimit = 50_000

  /// Every RRSIG of the zone verifies and stays valid `minimum` longer, over everything the server
  /// lets us enumerate plus `mentioned`; the last finding says what was covered.
  package func zoneSignatures(
    mentioning mentioned: [(name: DNSName, type: DNSRecordType)] = [],
    validForAtLeast minimum: Duration = .zero
  ) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let keys = try await zoneKeys()
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    var content = try await enumerate(keys: keys, withTypes: true)
    for target in mentioned where !content.contains(target.name, target.type) {
      try await addAnswer(target.name, target.type, to: &content, keys: keys)
      content.mentioned += 1
    }
    var findings = content.findings
    var earliest: Int64?
    for key in content.order {
      let label = "\(key.name.text)/\(key.type)"
      let signatures = content.signatures[key] ?? []
      guard !signatures.isEmpty else {
        findings.append(.failed(.signature, "\(label) has no RRSIG"))
        continue
      }
      for signature in signatures {
        let result = check(
          signature, over: content.rrsets[key] ?? [], label: label, keys: keys, minimum: minimum)
        findings += result.filter { !$0.passed }
        let expiration = DNSSECValidator.absoluteTime(signature.expiration, near: now)
        if result.allSatisfy(\.passed) || result.contains(where: { $0.topic == .lifetime }) {
          earliest = min(earliest ?? expiration, expiration)
        }
      }
    }
    var summary = "\(content.coverage) \(findings.allSatisfy(\.passed) ? "verified" : "checked")"
    if let earliest { summary += "; earliest expiry \(Self.day(earliest)), \(relative(earliest))" }
    findings.append(.passed(.coverage, summary))
    return findings
  }

  /// Signed NSEC or NSEC3 prove that `name` does not exist or, with `type`, has no such records;
  /// without a name, a random one, a missing type at the apex and, where the chain can be
  /// walked, every NSEC link of the zone.
  package func nonexistence(of name: DNSName?, type: DNSRecordType?) async throws(DNSSECAuditError)
    -> [DNSSECFinding]
  {
    guard let name else {
      var findings = try await denialOfExistence()
      let keys = try await zoneKeys()
      guard !keys.isEmpty else { return findings }
      let content = try await enumerate(keys: keys, withTypes: false, transfer: false)
      guard content.method == .nsecWalk else {
        findings.append(.passed(.coverage, "NSEC3 hides the names: the chain cannot be walked"))
        return findings
      }
      for key in content.order {
        for signature in content.signatures[key] ?? [] {
          findings += check(
            signature, over: content.rrsets[key] ?? [], label: "\(key.name.text)/NSEC", keys: keys,
            minimum: .zero
          ).filter { !$0.passed }
        }
        if (content.signatures[key] ?? []).isEmpty {
          findings.append(.failed(.denial, "\(key.name.text)/NSEC has no RRSIG"))
        }
      }
      findings += content.findings
      let names = content.names == 1 ? "1 name" : "\(content.names) names"
      findings.append(.passed(.coverage, "NSEC chain of \(names) walked"))
      return findings
    }
    guard name.isSubdomain(of: zone) else {
      throw DNSSECAuditError(code: .badZone, detail: "\(name.text) is not in the zone \(zone.text)")
    }
    let keys = try await zoneKeys()
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    let asked = type ?? .a
    let response = try await ask(name, asked, accepting: [.nameError, .noError])
    var findings: [DNSSECFinding] = []
    let proofs = verifiedDenialRecords(response, keys: keys, findings: &findings)
    let denial = DNSSECDenial(zone: zone, records: proofs)
    let what = type.map { "\(name.text) has no \($0)" } ?? "\(name.text) does not exist"
    let answered = response.answers.filter { $0.name == name && ($0.type == asked || $0.type == .cname) }
    if let record = answered.first {
      let wildcard = response.answers.contains {
        if case .rrsig(let signature) = $0.rdata {
          Int(signature.labels) < name.signatureLabelCount
        } else {
          false
        }
      }
      let how = wildcard ? " (synthesized from a wildcard)" : ""
      findings.append(.failed(.denial, "\(name.text) has \(record.type) records\(how); wanted: \(what)"))
    } else if response.responseCode == .nameError {
      if let proof = denial.provesNameError(name) {
        findings.append(.passed(.denial, "\(proof.rawValue) proves that \(name.text) does not exist"))
      } else {
        findings.append(.failed(.denial, "no NSEC or NSEC3 proves that \(name.text) does not exist"))
      }
    } else if let type {
      if let proof = denial.provesNoData(name, type: type) {
        findings.append(.passed(.denial, "\(proof.rawValue) proves that \(what)"))
      } else {
        findings.append(.failed(.denial, "no NSEC or NSEC3 proves that \(what)"))
      }
    } else {
      findings.append(
        .failed(
          .denial, "\(name.text) exists (\(server.endpoint) answers NOERROR, not NXDOMAIN); wanted: \(what)"))
    }
    return findings
  }

  // MARK: - Enumeration

  /// The zone's RRsets: by transfer when allowed, else by NSEC walk, else (NSEC3) the apex.
  func enumerate(
    keys: [DNSKEYRecord], withTypes: Bool, transfer: Bool = true
  ) async throws(DNSSECAuditError) -> DNSSECZoneContent {
    if transfer, let records = try await transferRecords() {
      return DNSSECZoneContent.fromTransfer(records, zone: zone)
    }
    let apex = try await ask(zone, .nsec)
    let apexNSEC = apex.records(in: apex.answers, name: zone, type: .nsec)
    if !apexNSEC.isEmpty {
      return try await walk(keys: keys, withTypes: withTypes)
    }
    guard apex.authorities.contains(where: { $0.type == .nsec3 }) else {
      throw DNSSECAuditError(
        code: .noRecords,
        detail:
          "\(server.endpoint) refuses a zone transfer of \(zone.text) and serves neither NSEC nor NSEC3 "
          + "at the apex; nothing to enumerate the zone by")
    }
    var content = DNSSECZoneContent(method: .nsec3)
    var types: [DNSRecordType] = [.soa, .ns, .dnskey]
    let noData = try await ask(zone, Self.absentType)
    for record in noData.authorities where record.type == .nsec3 {
      if case .nsec3(let data) = record.rdata,
        DNSSECCrypto.nsec3Hash(zone, salt: data.salt, iterations: data.iterations)
          == record.name.labels.first.flatMap(DNSTextEncoding.base32HexDecode)
      {
        types = data.types
      }
    }
    for type in types where type != .rrsig && type != .nsec3 {
      try await addAnswer(zone, type, to: &content, keys: keys)
    }
    for response in [apex, noData] {
      addDenialRecords(response, to: &content)
    }
    return content
  }

  /// The zone's records by AXFR; nil when the server does not allow one (most do not).
  private func transferRecords() async throws(DNSSECAuditError) -> [DNSResourceRecord]? {
    let result: DNSClient.Transfer
    do {
      result = try await client.transfer(
        zone: zone, server: server.address, port: server.port, timeout: options.timeout * 5)
    } catch  where error.code == .timedOut || error.code == .badServerAddress || error.code == .socketFailed {
      throw DNSSECAuditError(code: .queryFailed, detail: "asking for a transfer of \(zone.text): \(error)")
    } catch {
      // A server that closes the connection or answers oddly to AXFR may still answer queries.
      return nil
    }
    if case .records(let records) = result { return records }
    return nil
  }

  /// Follows NSEC from the apex back to it; with `withTypes`, asks every type each NSEC lists.
  private func walk(keys: [DNSKEYRecord], withTypes: Bool) async throws(DNSSECAuditError) -> DNSSECZoneContent
  {
    var content = DNSSECZoneContent(method: .nsecWalk)
    var current = zone
    var previous: DNSName?
    var visited: Set<DNSName> = []
    while visited.insert(current).inserted {
      guard visited.count <= Self.walkLimit else {
        throw DNSSECAuditError(
          code: .noRecords,
          detail:
            "\(zone.text) has more than \(Self.walkLimit) names; allow a zone transfer to check it whole")
      }
      guard let (nsec, signatures) = try await nsec(at: current) else {
        let after = previous.map { " (the NSEC at \($0.text) points to it)" } ?? ""
        content.findings.append(
          .failed(
            .denial,
            "\(current.text) has no NSEC\(after): the NSEC chain breaks there, so names after it "
              + "cannot be proven not to exist"))
        return content
      }
      content.add(nsec, signatures: signatures)
      guard case .nsec(let data) = nsec[0].rdata else { break }
      if withTypes {
        let isCut = current != zone && data.types.contains(.ns) && !data.types.contains(.soa)
        for type in data.types where type != .rrsig && type != .nsec && (!isCut || type == .ds) {
          try await addAnswer(current, type, to: &content, keys: keys, listed: true)
        }
      }
      guard data.nextName.isSubdomain(of: zone) else {
        content.findings.append(
          .failed(.denial, "the NSEC at \(current.text) points out of the zone, to \(data.nextName.text)"))
        return content
      }
      previous = current
      current = data.nextName
    }
    if current != zone {
      content.findings.append(.failed(.denial, "the NSEC chain of \(zone.text) loops at \(current.text)"))
    }
    return content
  }

  /// The zone's own NSEC at `name`. Asked directly first; at a delegation to a zone the same
  /// server serves, that answer comes from the child, so then ask for a name just after `name`
  /// (its first label with a zero byte added), which the parent's NSEC at `name` covers.
  private func nsec(at name: DNSName) async throws(DNSSECAuditError) -> ([DNSResourceRecord], [RRSIGRecord])?
  {
    // BIND answers SERVFAIL where it cannot build a proof from a broken chain: no NSEC there either.
    let codes: Set<DNSResponseCode> = [.noError, .nameError, .serverFailure]
    let direct = try await ask(name, .nsec, accepting: codes)
    if let found = ownNSEC(in: direct.answers, at: name) { return found }
    guard name != zone, var label = name.labels.first, label.count < 63, let parent = name.parent else {
      return nil
    }
    label.append(0)
    guard let after = try? parent.prepending(label) else { return nil }
    let covered = try await ask(after, .a, accepting: codes)
    return ownNSEC(in: covered.authorities, at: name)
  }

  private func ownNSEC(
    in section: [DNSResourceRecord], at name: DNSName
  ) -> ([DNSResourceRecord], [RRSIGRecord])? {
    let records = section.filter { $0.name == name && $0.type == .nsec }
    let signatures = Self.signatures(in: section, name: name, type: .nsec).filter { $0.signerName == zone }
    guard !records.isEmpty, !signatures.isEmpty || !section.contains(where: { $0.type == .rrsig }) else {
      return nil
    }
    return (records, signatures)
  }

  /// Asks `name`/`type` and adds the answer's RRset; a wildcard answer must come with its proof.
  private func addAnswer(
    _ name: DNSName, _ type: DNSRecordType, to content: inout DNSSECZoneContent, keys: [DNSKEYRecord],
    listed: Bool = false
  ) async throws(DNSSECAuditError) {
    let response = try await ask(name, type)
    var rrset = response.records(in: response.answers, name: name, type: type)
    var found = type
    if rrset.isEmpty {
      found = .cname
      rrset = response.records(in: response.answers, name: name, type: .cname)
    }
    guard !rrset.isEmpty else {
      if listed {
        content.findings.append(
          .failed(
            .denial, "the NSEC at \(name.text) lists \(type), but \(server.endpoint) serves no \(type) there")
        )
        return
      }
      throw DNSSECAuditError(
        code: .noRecords,
        detail: "\(server.endpoint) has no \(type) records at \(name.text) (\(response.responseCode)); "
          + "nothing to check")
    }
    let signatures = Self.signatures(in: response.answers, name: name, type: found)
    content.add(rrset, signatures: signatures)
    addDenialRecords(response, to: &content)
    if let label = signatures.map({ Int($0.labels) }).min(), label < name.signatureLabelCount {
      var ignored: [DNSSECFinding] = []
      let proofs = verifiedDenialRecords(response, keys: keys, findings: &ignored)
      if DNSSECDenial(zone: zone, records: proofs).provesWildcardExpansion(name, signatureLabels: label)
        == nil
      {
        content.findings.append(
          .failed(
            .denial,
            "\(name.text)/\(found) is synthesized from a wildcard, but no signed NSEC or NSEC3 proves "
              + "that \(name.text) does not exist itself"))
      }
    }
  }

  /// NSEC and NSEC3 of an answer's authority section join the records to verify.
  private func addDenialRecords(_ response: DNSMessage, to content: inout DNSSECZoneContent) {
    var owners: [DNSSECZoneContent.Key] = []
    for record in response.authorities where record.type == .nsec || record.type == .nsec3 {
      let key = DNSSECZoneContent.Key(name: record.name, type: record.type)
      if !owners.contains(key) { owners.append(key) }
    }
    for key in owners {
      content.add(
        response.records(in: response.authorities, name: key.name, type: key.type),
        signatures: Self.signatures(in: response.authorities, name: key.name, type: key.type))
    }
  }
}
