@_spi(Runner) internal import InfraSpecCore

/// A chain of trust from an anchor down to one zone, judged as a validating resolver would
/// (RFC 4035 §5): secure, insecure (a proven unsigned delegation), bogus, or indeterminate (we
/// cannot tell, e.g. an algorithm InfraSpec does not implement). Causes carry DNSViz's names.
package struct DNSSECChain: Sendable, Equatable {
  package enum Status: String, Sendable, Equatable {
    case secure, insecure, bogus, indeterminate
  }

  /// One zone on the way down: how its keys were reached and whether that held.
  package struct Link: Sendable, Equatable, CustomStringConvertible {
    var zone: DNSName
    /// `DS 12345/13/SHA-256 → DNSKEY 12345 (ECDSAP256SHA256)`, or why there is no such arrow.
    var detail: String
    var status: Status

    package var description: String { "\(zone.text): \(detail): \(status.rawValue)" }
  }

  package var status: Status
  /// The first thing that made the chain other than secure, as `NO_SEP: …`.
  package var cause: String?
  var links: [Link]

  /// The chain, one line per link, for messages.
  package var shown: String { links.map(\.description).joined(separator: "; ") }
}

extension DNSSECAudit {
  /// Follows delegations from `anchor` to the audited zone. DS records are asked at
  /// `parentServers` when given, else at the zone's own server (a hidden primary or a fixture
  /// often serves the whole tree), then at the name servers the parent's delegation names; the
  /// keys of each zone above at the first of these that is authoritative for it; DNSKEY and the
  /// zone's SOA at the zone's server.
  package func chain(
    from anchor: DNSSECTrustAnchor, parentServers: [DNSServer] = []
  ) async throws(DNSSECAuditError) -> DNSSECChain {
    guard zone.isSubdomain(of: anchor.zone) else {
      throw DNSSECAuditError(
        code: .badZone, detail: "the trust anchor is for \(anchor.zone.text), which is not above \(zone.text)"
      )
    }
    let firstChoice = parentServers.isEmpty ? [server] : parentServers
    // Per zone above the audited one: the servers its parent's delegation names, learned on the
    // way down, and the one that answered for it.
    var delegated: [DNSName: [DNSServer]] = [:]
    // A name inside a zone (no cut there) is served by the servers of the zone around it.
    func servers(of name: DNSName) -> [DNSServer] {
      var name = name
      while delegated[name] == nil, let parent = name.parent, name != anchor.zone { name = parent }
      return delegated[name] ?? []
    }
    var links: [DNSSECChain.Link] = []
    func end(_ status: DNSSECChain.Status, _ cause: String?) -> DNSSECChain {
      DNSSECChain(status: status, cause: cause, links: links)
    }
    var current = anchor.zone
    let start = try await zoneKeys(
      of: current, ds: anchor.ds, anchorKeys: anchor.keys,
      at: current == zone ? server : try await authoritativeServer(for: current, among: firstChoice),
      via: "trust anchor")
    links.append(start.link)
    guard var keys = start.keys else { return end(start.link.status, start.cause) }

    while current != zone {
      let child = zone.suffix(labelCount: current.labels.count + 1)
      let response = try await dsResponse(for: child, among: firstChoice + servers(of: current))
      let dsRecords = response.records(in: response.answers, name: child, type: .ds)
      if !dsRecords.isEmpty {
        let signatures = Self.signatures(in: response.answers, name: child, type: .ds)
        if let problem = signatureProblem(dsRecords, signatures, keys: keys, label: "\(child.text)/DS") {
          links.append(.init(zone: child, detail: "DS at \(current.text): \(problem)", status: .bogus))
          return end(.bogus, problem)
        }
        let ds: [DSRecord] = dsRecords.compactMap { if case .ds(let data) = $0.rdata { data } else { nil } }
        let keyServer: DNSServer
        if child == zone {
          keyServer = server
        } else {
          // The parent's delegation is asked for only when no server the spec names serves the child.
          let parentSide = firstChoice + servers(of: current)
          keyServer = try await authoritativeServer(for: child, among: firstChoice) {
            () async throws(DNSSECAuditError) -> [DNSServer] in
            var found: [DNSServer] = []
            for parent in parentSide where found.isEmpty {
              found = await delegatedServers(of: child, at: parent)
            }
            return found
          }
          delegated[child] = [keyServer]
        }
        let step = try await zoneKeys(of: child, ds: ds, anchorKeys: [], at: keyServer, via: "DS")
        links.append(step.link)
        guard let next = step.keys else { return end(step.link.status, step.cause) }
        keys = next
        current = child
        continue
      }
      var ignored: [DNSSECFinding] = []
      let proofs = verifiedDenialRecords(response, keys: keys, findings: &ignored)
      let denial = DNSSECDenial(zone: current, records: proofs)
      if response.responseCode == .noError, let types = denial.types(at: child), !types.contains(.ds) {
        if types.contains(.ns) && !types.contains(.soa) {
          let cause =
            "UNSIGNED_DELEGATION: \(denial.provesNoData(child, type: .ds)?.rawValue ?? "NSEC") at "
            + "\(current.text) proves that \(child.text) is delegated without DS"
          links.append(.init(zone: child, detail: "no DS, proven", status: .insecure))
          return end(.insecure, cause)
        }
        // A name inside the parent zone, not a delegation: go one label further down.
        if child == zone {
          throw DNSSECAuditError(
            code: .badZone, detail: "\(zone.text) is not a zone: \(current.text) has no cut there")
        }
        current = child
        continue
      }
      if try await isApex(child) {
        let cause =
          "MISSING_NSEC_FOR_NODATA: \(current.text) serves no DS for \(child.text) and no signed proof "
          + "that there is none"
        links.append(.init(zone: child, detail: "no DS, unproven", status: .bogus))
        return end(.bogus, cause)
      }
      // An empty non-terminal in the parent (proven by a covering record, not an owner).
      if child == zone {
        throw DNSSECAuditError(
          code: .badZone, detail: "\(zone.text) is not a zone apex at \(server.endpoint)")
      }
      current = child
    }

    let soa = try await ask(zone, .soa)
    let rrset = soa.records(in: soa.answers, name: zone, type: .soa)
    let signatures = Self.signatures(in: soa.answers, name: zone, type: .soa)
    if let problem = signatureProblem(rrset, signatures, keys: keys, label: "\(zone.text)/SOA") {
      links.append(.init(zone: zone, detail: "SOA: \(problem)", status: .bogus))
      return end(.bogus, problem)
    }
    return end(.secure, nil)
  }

  private struct KeyStep {
    var keys: [DNSKEYRecord]?
    var link: DNSSECChain.Link
    var cause: String?
  }

  /// The zone's DNSKEY set, trusted when a key the DS (or anchor) names is in it and signs it.
  private func zoneKeys(
    of name: DNSName, ds: [DSRecord], anchorKeys: [DNSKEYRecord], at target: DNSServer, via: String
  ) async throws(DNSSECAuditError) -> KeyStep {
    let response = try await ask(name, .dnskey, at: target)
    let rrset = response.records(in: response.answers, name: name, type: .dnskey)
    let keys = Self.keys(in: response, zone: name)
    let signatures = Self.signatures(in: response.answers, name: name, type: .dnskey)
    func fail(_ status: DNSSECChain.Status, _ arrow: String, _ cause: String) -> KeyStep {
      KeyStep(keys: nil, link: .init(zone: name, detail: arrow, status: status), cause: cause)
    }
    let dsText = ds.map { "DS \($0.keyTag)/\($0.algorithm)/\($0.digestName)" }.joined(separator: ", ")
    guard !keys.isEmpty else {
      return fail(
        .bogus, "\(dsText) → no DNSKEY", "MISSING_DNSKEY: \(name.text) has a DS but serves no DNSKEY")
    }
    var entry: [DNSKEYRecord] = []
    var arrow: String
    if !anchorKeys.isEmpty {
      entry = keys.filter { key in
        anchorKeys.contains { $0.publicKey == key.publicKey && $0.algorithm == key.algorithm }
      }
      arrow = "\(via) DNSKEY \(anchorKeys.map { String($0.keyTag) }.joined(separator: ", "))"
      guard !entry.isEmpty else {
        return fail(
          .bogus, arrow, "NO_SEP: the DNSKEY set of \(name.text) does not contain the trust anchor key")
      }
    } else {
      let usable = ds.filter {
        [1, 2, 4].contains($0.digestType) && DNSSECCrypto.supportedAlgorithms.contains($0.algorithm)
          && !DNSSECValidator.deprecatedAlgorithms.contains($0.algorithm)
      }
      guard !usable.isEmpty else {
        let algorithms = Set(ds.map(\.algorithm)).sorted().map {
          "\($0) (\(DNSSECValidator.algorithmName($0)))"
        }.joined(separator: ", ")
        return fail(
          .indeterminate, "\(dsText) → ?",
          "ALGORITHM_NOT_IMPLEMENTED: the DS of \(name.text) uses algorithm \(algorithms) or a digest type "
            + "InfraSpec does not implement, so it can neither trust nor reject the zone")
      }
      for record in usable {
        entry += keys.filter {
          DNSSECValidator.matches(record, key: $0, owner: name) == true && !entry.contains($0)
        }
      }
      arrow =
        "\(dsText) → DNSKEY "
        + (entry.isEmpty
          ? "none"
          : entry.map { "\($0.keyTag) (\(DNSSECValidator.algorithmName($0.algorithm)))" }.joined(
            separator: ", "))
      guard !entry.isEmpty else {
        return fail(.bogus, arrow, "NO_SEP: no DNSKEY of \(name.text) matches \(dsText)")
      }
    }
    if let problem = signatureProblem(rrset, signatures, keys: entry, label: "\(name.text)/DNSKEY") {
      return fail(.bogus, arrow, problem)
    }
    return KeyStep(keys: keys, link: .init(zone: name, detail: arrow, status: .secure), cause: nil)
  }

  /// nil when some signature by one of `keys` verifies and is valid now; else the DNSViz-style cause.
  private func signatureProblem(
    _ rrset: [DNSResourceRecord], _ signatures: [RRSIGRecord], keys: [DNSKEYRecord], label: String
  ) -> String? {
    guard !rrset.isEmpty else { return "MISSING_RRSET: \(label) is empty" }
    var problems: [String] = []
    for signature in signatures {
      let prefix = "RRSIG \(label) by key \(signature.keyTag)"
      switch DNSSECValidator.verify(rrset: rrset, signature: signature, keys: keys) {
      case .verified:
        switch DNSSECValidator.lifetime(of: signature, at: now) {
        case .valid: return nil
        case .expired:
          let at = DNSSECValidator.absoluteTime(signature.expiration, near: now)
          problems.append("EXPIRATION_IN_PAST: \(prefix) expired \(Self.day(at)) (\(relative(at)))")
        case .notYetValid:
          let at = DNSSECValidator.absoluteTime(signature.inception, near: now)
          problems.append(
            "INCEPTION_IN_FUTURE: \(prefix) is not valid until \(Self.day(at)) (\(relative(at)))")
        }
      case .doesNotVerify: problems.append("SIGNATURE_INVALID: \(prefix) does not verify")
      case .noMatchingKey: continue
      case .unsupportedAlgorithm: problems.append("ALGORITHM_NOT_IMPLEMENTED: \(prefix)")
      case .malformed(let detail): problems.append("SIGNATURE_INVALID: \(prefix): \(detail)")
      }
    }
    if let first = problems.first { return first }
    let tags = keys.map { String($0.keyTag) }.joined(separator: ", ")
    return "MISSING_RRSIG: no RRSIG over \(label) by key \(tags)"
  }

  /// Whether `name` is a zone apex at the zone's server (its SOA is owned by it).
  private func isApex(_ name: DNSName) async throws(DNSSECAuditError) -> Bool {
    let response = try await ask(name, .soa, accepting: [.noError, .nameError, .refused])
    return !response.records(in: response.answers, name: name, type: .soa).isEmpty
  }
}
