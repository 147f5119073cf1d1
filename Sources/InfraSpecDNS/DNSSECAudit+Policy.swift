@_spi(Runner) internal import InfraSpecCore

/// Policy rules a validator does not enforce but an auditor does: RSA key sizes (Zonemaster
/// DNSSEC14), NSEC3 parameters (RFC 9276; Zonemaster DNSSEC03) and the NSID a server reports
/// (RFC 5001), which tells the nodes behind one anycast address apart.
extension DNSSECAudit {
  /// RSASHA1, RSASHA1-NSEC3-SHA1, RSASHA256 and RSASHA512: the algorithms with an RSA modulus.
  static let rsaAlgorithms: Set<UInt8> = [5, 7, 8, 10]

  /// The modulus length in bits of an RSA DNSKEY (RFC 3110 §2: exponent length in one byte, or
  /// zero and two bytes, then the exponent, then the modulus); nil when the key is not RSA or
  /// its bytes do not hold a modulus.
  static func rsaModulusBits(_ key: DNSKEYRecord) -> Int? {
    guard rsaAlgorithms.contains(key.algorithm), let first = key.publicKey.first else { return nil }
    var offset = 1
    var exponentLength = Int(first)
    if first == 0 {
      guard key.publicKey.count >= 3 else { return nil }
      exponentLength = Int(key.publicKey[1]) << 8 | Int(key.publicKey[2])
      offset = 3
    }
    let modulus = key.publicKey.dropFirst(offset + exponentLength).drop { $0 == 0 }
    guard let top = modulus.first else { return nil }
    return (modulus.count - 1) * 8 + (8 - top.leadingZeroBitCount)
  }

  /// Every RSA DNSKEY of the zone has at least `minimum` bits (Zonemaster DNSSEC14 names the
  /// problems: DNSKEY_TOO_SMALL_FOR_ALGO under RFC 3110's 512 bits, or 1024 for RSASHA512 by
  /// RFC 5702; DNSKEY_TOO_LARGE_FOR_ALGO over 4096; DNSKEY_SMALLER_THAN_REC under `minimum`).
  package func rsaKeySizes(atLeast minimum: Int) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let keys = try await zoneKeys()
    guard !keys.isEmpty else { return [.failed(.signed, "\(zone.text) has no DNSKEY")] }
    var findings: [DNSSECFinding] = []
    var checked: [String] = []
    for key in keys where Self.rsaAlgorithms.contains(key.algorithm) {
      let label = "DNSKEY \(key.keyTag) (\(DNSSECValidator.algorithmName(key.algorithm))) of \(zone.text)"
      guard let bits = Self.rsaModulusBits(key) else {
        findings.append(.failed(.policy, "\(label) holds no RSA modulus"))
        continue
      }
      checked.append("\(key.keyTag): \(bits) bits")
      let floor = key.algorithm == 10 ? 1024 : 512
      if bits < floor {
        findings.append(
          .failed(
            .policy,
            "DNSKEY_TOO_SMALL_FOR_ALGO: \(label) has \(bits) bits, fewer than the \(floor) its algorithm allows"
          ))
      } else if bits > 4096 {
        findings.append(
          .failed(.policy, "DNSKEY_TOO_LARGE_FOR_ALGO: \(label) has \(bits) bits, more than the 4096 allowed")
        )
      } else if bits < minimum {
        findings.append(
          .failed(
            .policy, "DNSKEY_SMALLER_THAN_REC: \(label) has \(bits) bits, fewer than the \(minimum) asked"))
      }
    }
    if findings.isEmpty {
      let algorithms = Set(keys.map(\.algorithm)).sorted().map { String($0) }.joined(separator: ", ")
      findings.append(
        .passed(
          .policy,
          checked.isEmpty
            ? "\(zone.text) has no RSA key (algorithm \(algorithms))"
            : "RSA keys of \(zone.text) at least \(minimum) bits (\(checked.joined(separator: ", ")))"))
    }
    return findings
  }

  /// The NSEC3 chain the zone serves, and its NSEC3PARAM, follow RFC 9276 §3.1: no extra
  /// iterations, no salt, and no opt-out in a zone that is not delegation-centric. Zonemaster
  /// DNSSEC03's names. An NSEC zone passes: it has no NSEC3 parameters to get wrong.
  package func nsec3FollowsRFC9276() async throws(DNSSECAuditError) -> [DNSSECFinding] {
    let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    guard let missing = try? zone.prepending(Array("infraspec-\(random)".utf8)) else {
      throw DNSSECAuditError(code: .badZone, detail: "\(zone.text) is too long to add a test label")
    }
    let denial = try await ask(missing, .a, accepting: [.nameError, .noError])
    let served: [NSEC3Record] = denial.authorities.compactMap {
      if case .nsec3(let record) = $0.rdata { record } else { nil }
    }
    let parameters = try await ask(zone, .nsec3param)
    let published: [(flags: UInt8, iterations: UInt16, salt: [UInt8])] = parameters.answers.compactMap {
      guard $0.name == zone, case .nsec3param(_, let flags, let iterations, let salt) = $0.rdata else {
        return nil
      }
      return (flags, iterations, salt)
    }
    if served.isEmpty && published.isEmpty {
      let usesNSEC = denial.authorities.contains { $0.type == .nsec }
      return [
        usesNSEC
          ? .passed(.policy, "\(zone.text) denies with NSEC: no NSEC3 parameters")
          : .failed(
            .denial, "\(zone.text) serves neither NSEC nor NSEC3 for \(missing.text), which does not exist")
      ]
    }
    var findings: [DNSSECFinding] = []
    let sets =
      served.map { (source: "NSEC3", iterations: $0.iterations, salt: $0.salt, optOut: $0.isOptOut) }
      + published.map { (source: "NSEC3PARAM", iterations: $0.iterations, salt: $0.salt, optOut: false) }
    var said: Set<String> = []
    for set in sets {
      // One finding per distinct problem: every NSEC3 record of a chain repeats the same values.
      var problems: [String] = []
      if set.iterations > 0 {
        problems.append(
          "DS03_ILLEGAL_ITERATION_VALUE: \(set.source) of \(zone.text) uses \(set.iterations) extra iterations; "
            + "RFC 9276 §3.1 asks for 0 (validators treat high counts as insecure or bogus)")
      }
      if !set.salt.isEmpty {
        problems.append(
          "DS03_ILLEGAL_SALT_LENGTH: \(set.source) of \(zone.text) uses a \(set.salt.count)-byte salt "
            + "\(set.salt.map { Self.hexByte($0) }.joined()); RFC 9276 §3.1 asks for none")
      }
      if set.optOut {
        problems.append(
          "DS03_NSEC3_OPT_OUT_ENABLED_NON_TLD: \(set.source) of \(zone.text) sets opt-out; RFC 9276 §3.1 "
            + "keeps it for zones of mostly unsigned delegations")
      }
      for problem in problems where said.insert(problem).inserted {
        findings.append(.failed(.policy, problem))
      }
    }
    if findings.isEmpty {
      findings.append(.passed(.policy, "NSEC3 of \(zone.text): 0 extra iterations, no salt, no opt-out"))
    }
    return findings
  }

  static func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
  }

  /// EDNS option 3 (RFC 5001): a server that supports it names itself in its answer.
  static let nsidOption: UInt16 = 3

  /// The NSID `target` reports when asked for the zone's SOA, as text when it is printable ASCII
  /// and as hex otherwise; nil when it reports none.
  func nsid(at target: DNSServer? = nil) async throws(DNSSECAuditError) -> String? {
    var asking = self
    asking.options.ednsOptions = [DNSEDNSOption(code: Self.nsidOption, data: [])]
    let response = try await asking.ask(zone, .soa, at: target, accepting: [.noError, .nameError, .refused])
    guard let data = response.edns?.options.first(where: { $0.code == Self.nsidOption })?.data, !data.isEmpty
    else { return nil }
    if data.allSatisfy({ (0x21...0x7E).contains($0) }) { return String(decoding: data, as: UTF8.self) }
    return "0x" + data.map { Self.hexByte($0) }.joined()
  }

  /// The server reports an NSID (RFC 5001), and `expected` when given.
  package func reportsNSID(_ expected: String?) async throws(DNSSECAuditError) -> [DNSSECFinding] {
    guard let reported = try await nsid() else {
      return [.failed(.serial, "\(server.name) reports no NSID")]
    }
    if let expected, expected != reported {
      return [.failed(.serial, "\(server.name) reports NSID \(reported), not \(expected)")]
    }
    return [.passed(.serial, "\(server.name) reports NSID \(reported)")]
  }

  /// `ns2 (NSID fra1-b)`: a server's name with the node it says it is, for messages comparing servers.
  func named(_ target: DNSServer) async -> String {
    guard let reported = try? await nsid(at: target) else { return target.name }
    return "\(target.name) (NSID \(reported))"
  }
}
