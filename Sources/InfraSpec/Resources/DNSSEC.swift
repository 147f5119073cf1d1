@_spi(Runner) internal import InfraSpecCore
public import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A zone's DNSSEC as one authoritative server serves it: signed, signatures that verify and stay
/// valid, a DS at the parent that matches, proven non-existence, servers that agree.
///
///     DNSSEC("example.com", server: "127.0.0.1").isSigned().signaturesValid(forAtLeast: .days(7))
///     DNSSEC("example.com", server: "127.0.0.1").delegationMatches(parentServer: "192.0.2.53")
public struct DNSSEC: Resource {
  public var __chain: __ResourceChain
  let zone: String
  let server: String
  let port: UInt16
  let trustAnchor: String?
  let parentServers: [String]

  /// `trustAnchor` is where `isSecure()` starts: DS or DNSKEY text (`com. IN DS 19718 13 2 8ACB…`)
  /// or the path of a file with such lines or a BIND `trust-anchors { … };` clause.
  /// `parentServers` (`address` or `address:port`) answer for the DS records of the zones above.
  public init(
    _ zone: String, server: String, port: UInt16 = 53, trustAnchor: String? = nil,
    parentServers: [String] = []
  ) {
    self.zone = zone
    self.server = server
    self.port = port
    self.trustAnchor = trustAnchor
    self.parentServers = parentServers
    __chain = __ResourceChain(subject: "dnssec \(zone)") { _ throws(ProbeError) in
      throw .other("internal: every DNSSEC assertion brings its own audit step")
    }
  }

  /// The zone is secure from the trust anchor down: each parent's signed DS points to a key that
  /// signs the child's DNSKEY set, down to the zone's SOA. Insecure (a proven unsigned delegation)
  /// and bogus fail with the cause named DNSViz-style; indeterminate (an algorithm InfraSpec does
  /// not implement, such as Ed448) is "could not check", never secure.
  public func isSecure(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    let (anchorText, parents) = (trustAnchor, parentServers)
    return auditing(
      "chain of trust", expected: "secure", title: "is secure",
      what: "chain \(anchorText ?? "") \(parents.joined(separator: " "))", file: file, line: line,
      column: column
    ) { audit throws(DNSSECAuditError) in
      guard let anchorText else {
        throw DNSSECAuditError(
          code: .badZone,
          detail:
            "isSecure() needs a trust anchor: DNSSEC(\"zone\", server: …, trustAnchor: \"zone. IN DS …\")")
      }
      let anchor = try DNSSECTrustAnchorSource.load(anchorText)
      var servers: [DNSServer] = []
      for text in parents {
        guard let endpoint = Self.endpoint(text) else {
          throw DNSSECAuditError(code: .badZone, detail: "not a server as address or address:port: \(text)")
        }
        servers.append(DNSServer(name: text, address: endpoint.address, port: endpoint.port))
      }
      let chain = try await audit.chain(from: anchor, parentServers: servers)
      switch chain.status {
      case .secure:
        return [.passed(.delegation, "secure: \(chain.shown)")]
      case .indeterminate:
        throw DNSSECAuditError(
          code: .unsupported, detail: "indeterminate: \(chain.cause ?? ""); chain: \(chain.shown)")
      case .insecure, .bogus:
        return [.failed(.delegation, "\(chain.status.rawValue): \(chain.cause ?? ""); chain: \(chain.shown)")]
      }
    }
  }

  /// The zone publishes DNSKEYs and signs them with them.
  public func isSigned(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    auditing(
      "signed", expected: "signed DNSKEYs", title: "is signed", what: "signed", file: file, line: line,
      column: column
    ) { audit throws(DNSSECAuditError) in
      try await audit.isSigned()
    }
  }

  /// Every RRSIG of the zone verifies against the zone's keys and stays valid for at least
  /// `minimum` more: the whole zone by transfer (AXFR) when the server allows it, else by walking
  /// the NSEC chain; with NSEC3, which hides names, the apex, the NSEC3 records seen and `records`
  /// (written `www.example.com/A`). The line says what was covered and the earliest expiry.
  public func signaturesValid(
    forAtLeast minimum: Duration = .zero, of records: String..., file: String = #filePath, line: Int = #line,
    column: Int = #column
  ) -> Self {
    let wanted = minimum == .zero ? "valid signatures" : "signatures valid for at least \(Self.days(minimum))"
    let names = records
    return auditing(
      "signatures", expected: wanted,
      title: minimum == .zero ? "signatures valid" : "signatures valid for \(Self.days(minimum))",
      what: "signatures \(Self.days(minimum)) \(names.joined(separator: " "))", file: file, line: line,
      column: column
    ) { audit throws(DNSSECAuditError) in
      var parsed: [(name: DNSName, type: DNSRecordType)] = []
      for record in names {
        let parts = record.split(separator: "/")
        guard parts.count == 2, let type = DNSRecordType(String(parts[1])),
          let name = try? DNSName(String(parts[0]))
        else {
          throw DNSSECAuditError(code: .badZone, detail: "not a record as name/TYPE: \(record)")
        }
        parsed.append((name, type))
      }
      return try await audit.zoneSignatures(mentioning: parsed, validForAtLeast: minimum)
    }
  }

  /// The parent's DS records (asked at `parentServer`) match a key of the zone.
  public func delegationMatches(
    parentServer: String, port: UInt16 = 53, file: String = #filePath, line: Int = #line,
    column: Int = #column
  ) -> Self {
    auditing(
      "delegation", expected: "a DS at the parent matching a DNSKEY", title: "DS at the parent matches",
      what: "delegation @\(parentServer):\(port)", file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.delegation(parentServer: parentServer, port: port) }
  }

  /// Signed NSEC or NSEC3 prove that `name` does not exist (NXDOMAIN) or, with `type`, that it has
  /// no such records (NODATA). Without a name: a random name, a missing type at the apex and,
  /// when the zone uses NSEC, every link of its chain. NSEC3 iterations are held against RFC 9276.
  ///
  ///     DNSSEC("example.com", server: "192.0.2.53").provesNonexistence(of: "mail.example.com", type: .txt)
  public func provesNonexistence(
    of name: String? = nil, type: DNSRecordType? = nil, file: String = #filePath, line: Int = #line,
    column: Int = #column
  ) -> Self {
    let shown: String? = name.map { text in type.map { "\(text)/\($0)" } ?? text }
    return auditing(
      "denial of existence", expected: "an NSEC or NSEC3 proof",
      title: shown.map { "proves non-existence of \($0)" } ?? "proves non-existence",
      what: "denial \(shown ?? "")", file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in
      var owner: DNSName?
      if let name {
        guard let parsed = try? DNSName(name) else {
          throw DNSSECAuditError(code: .badZone, detail: "not a DNS name: \(TextMatch.show(name))")
        }
        owner = parsed
      }
      return try await audit.nonexistence(of: owner, type: type)
    }
  }

  /// Every server listed (`address` or `address:port`) serves the same SOA serial as this one.
  public func serialsAgree(
    on servers: String..., file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let listed = servers
    let (server, port) = (self.server, self.port)
    return auditing(
      "serial", expected: "the same SOA serial on every server", title: "serials agree",
      what: "serials \(listed.joined(separator: " "))", file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in
      var all = [DNSServer(name: server, address: server, port: port)]
      for text in listed {
        guard let endpoint = Self.endpoint(text) else {
          throw DNSSECAuditError(code: .badZone, detail: "not a server as address or address:port: \(text)")
        }
        all.append(DNSServer(name: text, address: endpoint.address, port: endpoint.port))
      }
      return try await audit.serials(servers: all)
    }
  }

  /// Every algorithm in the DNSKEY set signs the apex SOA, NS and DNSKEY (RFC 6840 §5.11): an
  /// algorithm rollover half done fails.
  public func everyAlgorithmSignsApex(file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    auditing(
      "algorithms sign apex", expected: "every algorithm signing SOA, NS and DNSKEY",
      title: "every algorithm signs the apex", what: "every algorithm", file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.everyAlgorithmSignsApex() }
  }

  /// No signature lasts longer than `maximum` from inception to expiration, none starts in the future.
  public func signatureLifetime(
    atMost maximum: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let shown = Self.days(maximum)
    return auditing(
      "signature lifetime", expected: "at most \(shown)", title: "signature lifetime at most \(shown)",
      what: "lifetime \(shown)", file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.signatureLifetime(atMost: maximum) }
  }

  /// Every TTL is shorter than what is left of its signatures' validity (DNSViz TTL_BEYOND_EXPIRATION).
  public func ttlsWithinValidity(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    auditing(
      "ttl vs validity", expected: "TTLs shorter than the signatures' remaining validity",
      title: "TTLs within signature validity", what: "ttls", file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.ttlsWithinValidity() }
  }

  /// Every server listed (`address`, `address:port`, `[v6]:port`) serves the same `type` RRset at
  /// `name` (the apex by default) as this one.
  public func rrsetAgrees(
    _ type: DNSRecordType, on servers: String..., at name: String? = nil, file: String = #filePath,
    line: Int = #line, column: Int = #column
  ) -> Self {
    let listed = servers
    return auditing(
      "\(type) agrees", expected: "the same \(type) RRset on every server", title: "\(type) agrees",
      what: "agrees \(type) \(name ?? "") \(listed.joined(separator: " "))", file: file, line: line,
      column: column
    ) { audit throws(DNSSECAuditError) in
      var owner: DNSName?
      if let name {
        guard let parsed = try? DNSName(name) else {
          throw DNSSECAuditError(code: .badZone, detail: "not a DNS name: \(TextMatch.show(name))")
        }
        owner = parsed
      }
      return try await audit.rrsetAgrees(type, at: owner, servers: try Self.servers(listed))
    }
  }

  /// CDS and CDNSKEY match each other and the DNSKEY set and are signed by a key the parent's DS
  /// points to; the RFC 8078 delete form is recognised.
  public func cdsMatchesKeys(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    auditing(
      "cds", expected: "CDS and CDNSKEY matching the keys", title: "CDS matches the keys", what: "cds",
      file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.cdsMatchesKeys() }
  }

  /// Every server listed serves the same CDS and CDNSKEY as this one.
  public func cdsAgrees(
    on servers: String..., file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let listed = servers
    return auditing(
      "cds agrees", expected: "the same CDS and CDNSKEY on every server", title: "CDS agrees",
      what: "cds agrees \(listed.joined(separator: " "))", file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.cdsAgrees(servers: try Self.servers(listed)) }
  }

  static func servers(_ listed: [String]) throws(DNSSECAuditError) -> [DNSServer] {
    var all: [DNSServer] = []
    for text in listed {
      guard let endpoint = endpoint(text) else {
        throw DNSSECAuditError(
          code: .badZone, detail: "not a server as address, address:port or [v6]:port: \(text)")
      }
      all.append(DNSServer(name: text, address: endpoint.address, port: endpoint.port))
    }
    return all
  }

  /// Only these signing algorithms (numbers: 8, 13, 15, …); 5 and 7 fail as deprecated anyway.
  public func algorithms(
    allowed: UInt8..., file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let allowedSet = Set(allowed)
    let shown = allowed.map(String.init).joined(separator: ", ")
    return auditing(
      "algorithms", expected: "only \(shown)", title: "algorithms \(shown)", what: "algorithms \(shown)",
      file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.algorithms(allowed: allowedSet) }
  }

  func auditing(
    _ property: String, expected: String, title: String, what: String, file: String, line: Int, column: Int,
    _ step: @escaping @Sendable (DNSSECAudit) async throws(DNSSECAuditError) -> [DNSSECFinding]
  ) -> Self {
    adding(
      property, expected: expected, title: title, file: file, line: line, column: column,
      plan: DNSProbe.audit(zone: zone, server: server, port: port, what: what, step)
    ) { (findings: [DNSSECFinding]) in
      let failed = findings.filter { !$0.passed }
      // A failure also says what the check covered, so a reader knows how far it looked.
      let covered = findings.filter { $0.topic == .coverage }.map(\.message)
      if failed.isEmpty { return covered.isEmpty ? .pass : .covered(covered.joined(separator: "; ")) }
      return failed.isEmpty
        ? .pass
        : .fail(
          expected: expected, actual: (Self.capped(failed.map(\.message)) + covered).joined(separator: "; "))
    }
  }

  /// The first five problems and how many more: a zone of 100k names can fail 100k times.
  static func capped(_ problems: [String]) -> [String] {
    problems.count <= 5 ? problems : Array(problems.prefix(5)) + ["and \(problems.count - 5) more"]
  }

  static func days(_ duration: Duration) -> String {
    let seconds = duration.components.seconds
    return seconds % 86_400 == 0 ? "\(seconds / 86_400) days" : "\(seconds)s"
  }

  static func endpoint(_ text: String) -> (address: String, port: UInt16)? {
    if let address = IPAddress(text) { return (address.description, 53) }
    guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]),
      let address = IPAddress(String(text[..<colon]))
    else { return nil }
    return (address.description, port)
  }
}

extension Duration {
  /// Whole days, for signature lifetimes: `.days(7)`.
  public static func days(_ count: Int) -> Duration { .seconds(count * 86_400) }
}
