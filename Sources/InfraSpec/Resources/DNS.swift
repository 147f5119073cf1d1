@_spi(Runner) internal import InfraSpecCore
public import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// What a DNS server answers for one name and type, asked by InfraSpec's own client.
///
///     DNS("www.example.com", .aaaa, server: "127.0.0.1").answers("2001:db8::10")
///     DNS("nope.example.com", .a, server: "127.0.0.1").rcode(.nxDomain).isAuthoritative()
public struct DNS: Resource {
  /// How the query travels; `.udp` falls back to TCP when the answer is truncated.
  public enum Channel: String, Sendable {
    /// How the question travels.
    case udp, tcp
  }

  /// Header flags of a response.
  public enum Flag: String, Sendable, CaseIterable {
    /// Authoritative answer.
    case aa = "AA"
    /// Authenticated data: a validating resolver checked the signatures.
    case ad = "AD"
    /// Truncated.
    case tc = "TC"
    /// Recursion available.
    case ra = "RA"
  }

  public var __chain: __ResourceChain
  let type: DNSRecordType

  /// Asks `server` (an address) for `type` records of `name`; `dnssec` sets the DO bit.
  public init(
    _ name: String, _ type: DNSRecordType, server: String, port: UInt16 = 53, over transport: Channel = .udp,
    dnssec: Bool = false
  ) {
    self.type = type
    __chain = __ResourceChain(
      subject: "dns \(name)/\(type) @\(server)\(port == 53 ? "" : ":\(port)")",
      plan: DNSProbe.query(name, type, server: server, port: port, overTCP: transport == .tcp, dnssec: dnssec)
    )
  }

  /// Exactly these records of the asked type, in any order (`dig +short` style values).
  public func answers(_ values: String..., file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let type = self.type
    let wanted = values.map(DNSAnswers.normalize).sorted()
    let shown = wanted.isEmpty ? "no records" : wanted.joined(separator: ", ")
    return adding("answers", expected: shown, file: file, line: line, column: column) {
      (response: DNSMessage) in
      if let refusal = DNSAnswers.refusal(response) { return refusal }
      let actual = DNSAnswers.values(response, type)
      return actual == wanted ? .pass : .fail(expected: shown, actual: DNSAnswers.show(actual, response))
    }
  }

  /// At least this record among the answers.
  public func contains(_ value: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let type = self.type
    let wanted = DNSAnswers.normalize(value)
    return adding(
      "answers", expected: "to include \(wanted)", title: "contains \(wanted)", file: file, line: line,
      column: column
    ) { (response: DNSMessage) in
      if let refusal = DNSAnswers.refusal(response) { return refusal }
      let actual = DNSAnswers.values(response, type)
      return actual.contains(wanted)
        ? .pass : .fail(expected: "to include \(wanted)", actual: DNSAnswers.show(actual, response))
    }
  }

  /// The response code: `.noError`, `.nxDomain`, `.servFail`, `.refused`.
  public func rcode(
    _ code: DNSResponseCode, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    adding("rcode", expected: code.description, file: file, line: line, column: column) {
      (response: DNSMessage) in
      expectEqual(code.description, response.responseCode.description)
    }
  }

  /// The response has every flag named.
  public func hasFlags(_ flags: Flag..., file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let wanted = flags.map(\.rawValue).joined(separator: " ")
    return adding(
      "flags", expected: "to include \(wanted)", title: "has flags \(wanted)", file: file, line: line,
      column: column
    ) {
      (response: DNSMessage) in
      let have = DNSAnswers.flags(response)
      return flags.allSatisfy(have.contains)
        ? .pass : .fail(expected: "to include \(wanted)", actual: DNSAnswers.show(have))
    }
  }

  /// The response has none of the flags named.
  public func lacksFlags(_ flags: Flag..., file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let unwanted = flags.map(\.rawValue).joined(separator: " ")
    return adding(
      "flags", expected: "none of \(unwanted)", title: "lacks flags \(unwanted)", file: file, line: line,
      column: column
    ) {
      (response: DNSMessage) in
      let have = DNSAnswers.flags(response)
      return flags.contains(where: have.contains)
        ? .fail(expected: "none of \(unwanted)", actual: DNSAnswers.show(have)) : .pass
    }
  }

  /// The server is authoritative for the name (AA set).
  public func isAuthoritative(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    hasFlags(.aa, file: file, line: line, column: column)
  }

  /// Every answer of the asked type has a TTL within the bounds, in seconds.
  public func ttl(
    atLeast minimum: UInt32 = 0, atMost maximum: UInt32 = .max, file: String = #filePath, line: Int = #line,
    column: Int = #column
  ) -> Self {
    let type = self.type
    let wanted = maximum == .max ? ">= \(minimum)s" : "\(minimum)s to \(maximum)s"
    return adding("ttl", expected: wanted, file: file, line: line, column: column) { (response: DNSMessage) in
      if let refusal = DNSAnswers.refusal(response) { return refusal }
      let ttls = response.answers.filter { $0.type == type }.map(\.ttl)
      if ttls.isEmpty { return .fail(expected: wanted, actual: "no \(type) records") }
      let outside = ttls.filter { $0 < minimum || $0 > maximum }
      return outside.isEmpty
        ? .pass : .fail(expected: wanted, actual: outside.map { "\($0)s" }.joined(separator: ", "))
    }
  }
}

extension DNSResponseCode {
  /// NXDOMAIN: the name does not exist.
  public static let nxDomain = nameError
  /// SERVFAIL.
  public static let servFail = serverFailure
}

/// Answer values as `dig +short` prints them, compared without trailing dots or case in names.
enum DNSAnswers {
  /// A response that says nothing about the records: the server refused, failed, or does not
  /// serve the name (REFUSED, SERVFAIL, NOTAUTH, or a bare referral from a server that neither is
  /// authoritative nor recurses). "No records" cannot be judged from it, so it is "could not check".
  static func refusal(_ response: DNSMessage) -> Verdict? {
    let server = "the server"
    switch response.responseCode {
    case .noError, .nameError:
      if response.answers.isEmpty && !response.isAuthoritative && !response.recursionAvailable {
        return .cannotCheck(
          "\(server) answered \(response.responseCode) without the AA flag and does not recurse: it does not "
            + "serve this name (a referral); ask a server authoritative for the zone")
      }
      return nil
    case .refused:
      return .cannotCheck(
        "\(server) answered REFUSED: it does not serve this zone or does not answer this client; ask a server "
          + "that serves it")
    default:
      return .cannotCheck(
        "\(server) answered \(response.responseCode), which says nothing about the records; check its logs")
    }
  }

  static func values(_ response: DNSMessage, _ type: DNSRecordType) -> [String] {
    response.answers.filter { $0.type == type }.map { normalize($0.rdata.description) }.sorted()
  }

  static func normalize(_ value: String) -> String {
    var text = value.trimmingWhitespace()
    // TXT: a single quoted string compares equal to its content.
    if text.count >= 2, text.first == "\"", text.last == "\"", !text.dropFirst().dropLast().contains("\"") {
      text = String(text.dropFirst().dropLast())
    }
    while text.hasSuffix(".") && text.count > 1 { text.removeLast() }
    return text
  }

  static func flags(_ response: DNSMessage) -> [DNS.Flag] {
    var flags: [DNS.Flag] = []
    if response.isAuthoritative { flags.append(.aa) }
    if response.authenticData { flags.append(.ad) }
    if response.isTruncated { flags.append(.tc) }
    if response.recursionAvailable { flags.append(.ra) }
    return flags
  }

  static func show(_ flags: [DNS.Flag]) -> String {
    flags.isEmpty ? "no flags" : flags.map(\.rawValue).joined(separator: " ")
  }

  static func show(_ values: [String], _ response: DNSMessage) -> String {
    if values.isEmpty { return "no records (\(response.responseCode))" }
    return values.joined(separator: ", ")
  }
}
