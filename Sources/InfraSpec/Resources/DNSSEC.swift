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

  public init(_ zone: String, server: String, port: UInt16 = 53) {
    self.zone = zone
    self.server = server
    self.port = port
    __chain = __ResourceChain(subject: "dnssec \(zone)") { _ throws(ProbeError) in
      throw .other("internal: every DNSSEC assertion brings its own audit step")
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

  /// Every RRSIG over the apex SOA, NS and DNSKEY (and over `records`, written `www.example.com/A`)
  /// verifies against the zone's keys and stays valid for at least `minimum` more.
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
      return try await audit.signatures(ofNames: parsed, validForAtLeast: minimum)
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

  /// A name that does not exist is proven not to by NSEC or NSEC3 (iterations held against RFC 9276).
  public func provesNonexistence(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    auditing(
      "denial of existence", expected: "an NSEC or NSEC3 proof", title: "proves non-existence",
      what: "denial",
      file: file, line: line, column: column
    ) { audit throws(DNSSECAuditError) in try await audit.denialOfExistence() }
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

  private func auditing(
    _ property: String, expected: String, title: String, what: String, file: String, line: Int, column: Int,
    _ step: @escaping @Sendable (DNSSECAudit) async throws(DNSSECAuditError) -> [DNSSECFinding]
  ) -> Self {
    adding(
      property, expected: expected, title: title, file: file, line: line, column: column,
      plan: DNSProbe.audit(zone: zone, server: server, port: port, what: what, step)
    ) { (findings: [DNSSECFinding]) in
      let failed = findings.filter { !$0.passed }
      return failed.isEmpty
        ? .pass : .fail(expected: expected, actual: failed.map(\.message).joined(separator: "; "))
    }
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
