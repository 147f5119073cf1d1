@_spi(Runner) internal import InfraSpecCore

/// Audits one zone's DNSSEC as its authoritative servers serve it, returning findings in InfraSpec's grammar.
package struct DNSSECAudit: Sendable {
  var zone: DNSName
  var server: DNSServer
  /// Seconds since the Unix epoch that signature lifetimes are judged at; tests pin it.
  var now: Int64
  var client: DNSClient
  var options: DNSClient.Options

  /// A type no zone publishes, asked at the apex to see a NODATA proof (65281 is in the private-use range).
  static let absentType = DNSRecordType(rawValue: 65281)

  /// With a `connector`, every query goes over it as DNS over TCP, e.g. through an SSH channel to the PoP.
  package init(
    zone: DNSName, server: String, port: UInt16 = 53, connector: (any DNSStreamConnector)? = nil, now: Int64,
    timeout: Duration = .seconds(2)
  ) {
    self.zone = zone
    self.server = DNSServer(name: server, address: server, port: port)
    self.now = now
    if let connector {
      client = DNSClient(connector: connector)
      options = DNSClient.Options(transport: .tcpOnly, dnssecOK: true, timeout: timeout)
    } else {
      client = DNSClient()
      options = DNSClient.Options(dnssecOK: true, timeout: timeout)
    }
  }

  // MARK: - Assertions

  /// The zone publishes DNSKEYs and signs them.
  package func isSigned() async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let response = try await ask(zone, .dnskey)
    let keys = Self.keys(in: response, zone: zone)
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    guard !Self.signatures(in: response.answers, name: zone, type: .dnskey).isEmpty else {
      return [.failed(.signed, "\(zone.text)/DNSKEY has no RRSIG")]
    }
    let tags = keys.map { String($0.keyTag) }.joined(separator: ", ")
    return [.passed(.signed, "\(zone.text) is signed with DNSKEY \(tags)")]
  }

  /// Every RRSIG over the apex SOA, NS, DNSKEY and `names` verifies and stays valid `minimum` longer.
  func signatures(
    ofNames names: [(name: DNSName, type: DNSRecordType)] = [], validForAtLeast minimum: Duration = .zero
  ) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let keys = try await zoneKeys()
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    var targets: [(name: DNSName, type: DNSRecordType)] = [(zone, .soa), (zone, .ns), (zone, .dnskey)]
    for target in names where !targets.contains(where: { $0.name == target.name && $0.type == target.type }) {
      targets.append(target)
    }
    var findings: [DNSSECFinding] = []
    for target in targets {
      let response = try await ask(target.name, target.type)
      var type = target.type
      var rrset = response.records(in: response.answers, name: target.name, type: type)
      if rrset.isEmpty {
        type = .cname
        rrset = response.records(in: response.answers, name: target.name, type: type)
      }
      guard !rrset.isEmpty else {
        throw DNSSECAuditError(
          code: .noRecords,
          detail: "\(server.endpoint) has no \(target.type) records at \(target.name.text) "
            + "(\(response.responseCode)); nothing to check")
      }
      let label = "\(target.name.text)/\(type)"
      let signatures = Self.signatures(in: response.answers, name: target.name, type: type)
      if signatures.isEmpty {
        findings.append(.failed(.signature, "\(label) has no RRSIG"))
      }
      for signature in signatures {
        findings += check(signature, over: rrset, label: label, keys: keys, minimum: minimum)
      }
    }
    return findings
  }

  /// The parent's DS records each match a DNSKEY of the zone that signs the DNSKEY RRset.
  package func delegation(parentServer: String, port: UInt16 = 53) async throws(DNSSECAuditError)
    -> [DNSSECFinding]
  {
    guard let parent = zone.parent else {
      throw DNSSECAuditError(code: .badZone, detail: "the root zone has no parent to hold a DS")
    }
    let parentAt = DNSServer(name: parentServer, address: parentServer, port: port)
    let response = try await ask(zone, .ds, at: parentAt)
    let dsRecords: [DSRecord] = response.records(in: response.answers, name: zone, type: .ds).compactMap {
      if case .ds(let ds) = $0.rdata { ds } else { nil }
    }
    guard !dsRecords.isEmpty else {
      return [.failed(.delegation, "no DS for \(zone.text) at \(parent.text)")]
    }
    let keyResponse = try await ask(zone, .dnskey)
    let keys = Self.keys(in: keyResponse, zone: zone)
    let keyRRset = keyResponse.records(in: keyResponse.answers, name: zone, type: .dnskey)
    let keySignatures = Self.signatures(in: keyResponse.answers, name: zone, type: .dnskey)
    var findings: [DNSSECFinding] = []
    for ds in dsRecords {
      let label = "DS \(ds.keyTag)/\(ds.algorithm)/\(ds.digestName) at \(parent.text)"
      if ds.digestType == 1 {
        findings.append(
          .failed(.policy, "\(label) uses SHA-1, which RFC 8624 deprecates; publish a SHA-256 DS"))
      }
      let results = keys.map { DNSSECValidator.matches(ds, key: $0, owner: zone) }
      if !results.isEmpty, results.allSatisfy({ $0 == nil }) {
        findings.append(.failed(.delegation, "\(label) uses a digest type InfraSpec cannot compute"))
        continue
      }
      guard let index = results.firstIndex(where: { $0 == true }) else {
        findings.append(.failed(.delegation, "\(label) matches no DNSKEY of \(zone.text)"))
        continue
      }
      let key = keys[index]
      let signsKeys = keySignatures.contains {
        $0.keyTag == key.keyTag && $0.algorithm == key.algorithm
          && DNSSECValidator.verify(rrset: keyRRset, signature: $0, keys: [key]) == .verified
          && DNSSECValidator.lifetime(of: $0, at: now) == .valid
      }
      if signsKeys {
        findings.append(.passed(.delegation, "\(label) matches DNSKEY \(key.keyTag) of \(zone.text)"))
      } else {
        findings.append(
          .failed(
            .delegation,
            "\(label) matches DNSKEY \(key.keyTag) of \(zone.text), "
              + "which has no valid RRSIG over \(zone.text)/DNSKEY"
          ))
      }
    }
    return findings
  }

  /// Signed NSEC or NSEC3 prove a missing name (NXDOMAIN) and a missing type at the apex (NODATA).
  func denialOfExistence(of name: DNSName? = nil) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let keys = try await zoneKeys()
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    let missing: DNSName
    if let name {
      missing = name
    } else {
      let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
      guard let made = try? zone.prepending(Array("infraspec-\(random)".utf8)) else {
        throw DNSSECAuditError(code: .badZone, detail: "\(zone.text) is too long to add a test label")
      }
      missing = made
    }
    var findings: [DNSSECFinding] = []
    let nameError = try await ask(missing, .a, accepting: [.nameError, .noError])
    let proofRecords = verifiedDenialRecords(nameError, keys: keys, findings: &findings)
    let denial = DNSSECDenial(zone: zone, records: proofRecords)
    if nameError.responseCode == .nameError, let proof = denial.provesNameError(missing) {
      findings.append(.passed(.denial, "\(proof.rawValue) proves that \(missing.text) does not exist"))
    } else {
      findings.append(.failed(.denial, "no NSEC or NSEC3 proves that \(missing.text) does not exist"))
    }

    let noData = try await ask(zone, Self.absentType)
    let noDataRecords = verifiedDenialRecords(noData, keys: keys, findings: &findings)
    let type = Self.absentType
    if noData.answers.isEmpty,
      let proof = DNSSECDenial(zone: zone, records: noDataRecords).provesNoData(zone, type: type)
    {
      findings.append(.passed(.denial, "\(proof.rawValue) proves that \(zone.text) has no \(type)"))
    } else {
      findings.append(.failed(.denial, "no NSEC or NSEC3 proves that \(zone.text) has no \(type)"))
    }

    let iterations = Set(
      (nameError.authorities + noData.authorities).compactMap { record -> UInt16? in
        if case .nsec3(let nsec3) = record.rdata { nsec3.iterations } else { nil }
      })
    for count in iterations.sorted() {
      findings.append(
        count == 0
          ? .passed(.policy, "NSEC3 iterations 0")
          : .failed(.policy, "NSEC3 iterations \(count), RFC 9276 wants 0"))
    }
    return findings
  }

  /// Every server answers authoritatively with the same SOA serial as the first one.
  package func serials(servers: [DNSServer]) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    var serials: [(server: DNSServer, serial: UInt32)] = []
    for candidate in servers {
      let response = try await ask(zone, .soa, at: candidate)
      guard response.isAuthoritative else {
        throw DNSSECAuditError(
          code: .notAuthoritative,
          detail: "\(candidate.name) (\(candidate.endpoint)) is not authoritative for \(zone.text)")
      }
      guard
        let serial = response.records(in: response.answers, name: zone, type: .soa).compactMap({
          record -> UInt32? in
          if case .soa(let soa) = record.rdata { soa.serial } else { nil }
        }).first
      else {
        throw DNSSECAuditError(
          code: .noRecords,
          detail: "\(candidate.name) (\(candidate.endpoint)) returned no SOA for \(zone.text)")
      }
      serials.append((candidate, serial))
    }
    guard let reference = serials.first else { return [] }
    let differing = serials.dropFirst().filter { $0.serial != reference.serial }
    if differing.isEmpty {
      let names = serials.map(\.server.name).joined(separator: ", ")
      return [.passed(.serial, "\(names) serve serial \(reference.serial)")]
    }
    return differing.map {
      .failed(
        .serial, "\($0.server.name) serves serial \($0.serial), \(reference.server.name) \(reference.serial)")
    }
  }

  /// Each DNSKEY uses an algorithm that RFC 8624 allows, InfraSpec can verify and, when given,
  /// the spec's policy allows.
  package func algorithms(allowed: Set<UInt8>? = nil) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let keys = try await zoneKeys()
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    return keys.map { key in
      let name = "algorithm \(key.algorithm) (\(DNSSECValidator.algorithmName(key.algorithm)))"
      if let allowed, !allowed.contains(key.algorithm) {
        let list = allowed.sorted().map(String.init).joined(separator: ", ")
        return .failed(.policy, "DNSKEY \(key.keyTag) uses \(name), not one of \(list)")
      }
      if DNSSECValidator.deprecatedAlgorithms.contains(key.algorithm) {
        return .failed(.policy, "DNSKEY \(key.keyTag) uses \(name), which RFC 8624 deprecates")
      }
      if !DNSSECCrypto.supportedAlgorithms.contains(key.algorithm) {
        return .failed(.policy, "DNSKEY \(key.keyTag) uses \(name), which InfraSpec cannot verify")
      }
      return .passed(.policy, "DNSKEY \(key.keyTag) uses \(name)")
    }
  }

  // MARK: - Helpers

  func check(
    _ signature: RRSIGRecord, over rrset: [DNSResourceRecord], label: String, keys: [DNSKEYRecord],
    minimum: Duration
  ) -> [DNSSECFinding] {
    let prefix = "RRSIG \(label) by key \(signature.keyTag)"
    switch DNSSECValidator.verify(rrset: rrset, signature: signature, keys: keys) {
    case .verified:
      break
    case .noMatchingKey:
      return [.failed(.signature, "\(prefix) matches no DNSKEY of \(zone.text)")]
    case .doesNotVerify:
      return [.failed(.signature, "\(prefix) does not verify")]
    case .unsupportedAlgorithm:
      let name = DNSSECValidator.algorithmName(signature.algorithm)
      return [
        .failed(
          .signature,
          "\(prefix) uses algorithm \(signature.algorithm) (\(name)), which InfraSpec cannot verify")
      ]
    case .malformed(let detail):
      return [.failed(.signature, "\(prefix) cannot be checked: \(detail)")]
    }
    let inception = DNSSECValidator.absoluteTime(signature.inception, near: now)
    let expiration = DNSSECValidator.absoluteTime(signature.expiration, near: now)
    switch DNSSECValidator.lifetime(of: signature, at: now) {
    case .notYetValid:
      return [
        .failed(.signature, "\(prefix) is not valid until \(Self.day(inception)) (\(relative(inception)))")
      ]
    case .expired:
      return [.failed(.signature, "\(prefix) expired \(Self.day(expiration)) (\(relative(expiration)))")]
    case .valid:
      let left = expiration - now
      let wanted = minimum.components.seconds
      if left < wanted {
        return [
          .failed(
            .lifetime,
            "\(prefix) expires \(Self.day(expiration)) (\(relative(expiration))), "
              + "wanted at least \(Self.span(wanted))"
          )
        ]
      }
      return [
        .passed(.signature, "\(prefix) is valid until \(Self.day(expiration)) (\(relative(expiration)))")
      ]
    }
  }

  /// NSEC and NSEC3 records of a negative answer whose RRSIGs verify now; failures become findings.
  func verifiedDenialRecords(
    _ response: DNSMessage, keys: [DNSKEYRecord], findings: inout [DNSSECFinding]
  ) -> [DNSResourceRecord] {
    var verified: [DNSResourceRecord] = []
    var groups: [DNSName: [DNSRecordType: [DNSResourceRecord]]] = [:]
    var order: [(DNSName, DNSRecordType)] = []
    for record in response.authorities where record.type == .nsec || record.type == .nsec3 {
      if groups[record.name]?[record.type] == nil { order.append((record.name, record.type)) }
      groups[record.name, default: [:]][record.type, default: []].append(record)
    }
    for (name, type) in order {
      let rrset = groups[name]?[type] ?? []
      let label = "\(name.text)/\(type)"
      let signatures = Self.signatures(in: response.authorities, name: name, type: type)
      if signatures.isEmpty {
        findings.append(.failed(.denial, "\(label) has no RRSIG"))
        continue
      }
      var good = false
      for signature in signatures {
        let result = check(signature, over: rrset, label: label, keys: keys, minimum: .zero)
        if result.allSatisfy(\.passed) {
          good = true
        } else {
          findings += result
        }
      }
      if good { verified += rrset }
    }
    return verified
  }

  func zoneKeys() async throws(DNSSECAuditError) -> [DNSKEYRecord] {
    Self.keys(in: try await ask(zone, .dnskey), zone: zone)
  }

  static func keys(in response: DNSMessage, zone: DNSName) -> [DNSKEYRecord] {
    response.records(in: response.answers, name: zone, type: .dnskey).compactMap {
      if case .dnskey(let key) = $0.rdata { key } else { nil }
    }
  }

  static func signatures(
    in section: [DNSResourceRecord], name: DNSName, type: DNSRecordType
  ) -> [RRSIGRecord] {
    section.compactMap { record in
      guard record.name == name, case .rrsig(let signature) = record.rdata, signature.typeCovered == type
      else {
        return nil
      }
      return signature
    }
  }

  func ask(
    _ name: DNSName, _ type: DNSRecordType, at target: DNSServer? = nil,
    accepting codes: Set<DNSResponseCode> = [.noError]
  ) async throws(DNSSECAuditError) -> DNSMessage {
    let destination = target ?? server
    let response: DNSMessage
    do {
      response = try await client.query(
        name: name, type: type, server: destination.address, port: destination.port, options: options)
    } catch {
      throw DNSSECAuditError(code: .queryFailed, detail: "asking for \(name.text)/\(type): \(error)")
    }
    guard codes.contains(response.responseCode) else {
      throw DNSSECAuditError(
        code: .unexpectedResponseCode,
        detail: "\(destination.endpoint) answered \(response.responseCode) for \(name.text)/\(type)")
    }
    return response
  }

  package static func day(_ time: Int64) -> String {
    DNSCivilDate(secondsSinceEpoch: time).dayText
  }

  /// `in 6 days` or `9 days ago`; hours or minutes when under a day.
  func relative(_ time: Int64) -> String {
    let text = Self.span(abs(time - now), coarse: true)
    return time >= now ? "in \(text)" : "\(text) ago"
  }

  static func span(_ seconds: Int64, coarse: Bool = false) -> String {
    func unit(_ count: Int64, _ name: String) -> String {
      count == 1 ? "1 \(name)" : "\(count) \(name)s"
    }
    if seconds >= 86400 && (coarse || seconds % 86400 == 0) { return unit(seconds / 86400, "day") }
    if seconds >= 3600 && (coarse || seconds % 3600 == 0) { return unit(seconds / 3600, "hour") }
    if seconds >= 60 && (coarse || seconds % 60 == 0) { return unit(seconds / 60, "minute") }
    return unit(seconds, "second")
  }
}
