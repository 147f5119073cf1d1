@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
#if canImport(Glibc)
  internal import Glibc
#endif

/// A signed zone file in the repository, verified offline on the machine running InfraSpec (CI
/// for zone repositories): every RRSIG verifies, the NSEC or NSEC3 chain is complete, and the
/// zone stays valid for the window given (it must not go bogus before then).
///
///     ZoneFile("zones/example.com.signed", origin: "example.com").verifies(forAtLeast: .days(7))
public struct ZoneFile: Resource {
  public var __chain: __ResourceChain
  let path: String
  let origin: String

  /// A zone file in presentation format (`$INCLUDE` only from its own folder) for zone `origin`.
  public init(_ path: String, origin: String) {
    self.path = path
    self.origin = origin
    __chain = __ResourceChain(subject: "zone file \(path)") { _ throws(ProbeError) in
      throw .other("internal: every ZoneFile assertion brings its own step")
    }
  }

  /// Every RRset is signed by a zone key with a signature valid from now until `minimum` from now;
  /// with `anchor` (DS or DNSKEY text), the DNSKEY set is signed by the anchored key.
  public func verifies(
    forAtLeast minimum: Duration = .zero, anchor: String? = nil, file: String = #filePath, line: Int = #line,
    column: Int = #column
  ) -> Self {
    let (path, origin) = (self.path, self.origin)
    let wanted = minimum == .zero ? "a zone that verifies" : "a zone valid for \(DNSSEC.days(minimum))"
    let query = NetworkQuery(description: "zone verify \(path) \(origin) \(minimum) \(anchor ?? "")") { _ in
      .success(await Self.check(path: path, origin: origin, anchor: anchor, window: minimum))
    }
    let plan: FactPlanner = { _ throws(ProbeError) in
      FactPlan(commands: [], queries: [query]) { outputs throws(ProbeError) in
        .present(try outputs.answer(query))
      }
    }
    return adding(
      "verifies", expected: wanted,
      title: minimum == .zero ? "verifies" : "verifies for \(DNSSEC.days(minimum))",
      file: file, line: line, column: column, plan: plan
    ) { (outcome: ZoneFileOutcome) in
      switch outcome {
      case .unreadable(let why): .cannotCheck(why)
      case .verified: .pass
      case .failed(let problems): .fail(expected: wanted, actual: problems)
      }
    }
  }

  enum ZoneFileOutcome: Sendable {
    case unreadable(String)
    case verified(String)
    case failed(String)
  }

  static func check(path: String, origin: String, anchor: String?, window: Duration) async -> ZoneFileOutcome
  {
    guard let apex = try? DNSName(origin) else { return .unreadable("not a DNS name: \(origin)") }
    guard access(path, R_OK) == 0 else {
      return .unreadable("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    let trust: DNSSECTrustAnchor?
    do throws(DNSSECAuditError) {
      trust = try anchor.map { text throws(DNSSECAuditError) in try DNSSECTrustAnchorSource.load(text) }
    } catch {
      return .unreadable(error.description)
    }
    let records: [DNSResourceRecord]
    do throws(DNSZoneFileParser.ParseError) {
      records = try DNSZoneFileParser.parse(path: path, origin: apex)
    } catch {
      return .failed(error.description)
    }
    let result = await DNSZoneVerifier.verify(
      records, origin: apex, anchor: trust, now: Int64(time(nil)), window: window.components.seconds)
    let coverage = summary(result)
    let failed = result.findings.filter { !$0.passed }
    if !failed.isEmpty && failed.allSatisfy({ $0.topic == .policy }) {
      return .unreadable(
        "indeterminate: \(failed.count) RRsets signed only with algorithms InfraSpec cannot verify")
    }
    let problems = DNSSEC.capped(failed.map(\.message))
    return problems.isEmpty ? .verified(coverage) : .failed((problems + [coverage]).joined(separator: "; "))
  }

  static func summary(_ result: DNSZoneVerifier.Result) -> String {
    var text = "\(result.rrsets) RRsets at \(result.names) names, \(result.signatures) signatures"
    if let earliest = result.earliestExpiry { text += ", earliest expiry \(DNSSECAudit.day(earliest))" }
    return text
  }

  /// `infraspec zone verify`: the lines to print and the exit status (0 verified, 1 does not,
  /// 2 could not check, 64 usage), like `run`'s.
  public static func verifyCommand(
    path: String, origin: String?, anchor: String?, validFor: String?
  ) async -> (status: Int32, lines: [String]) {
    var window = Duration.zero
    if let validFor {
      guard let seconds = DNSZoneFileParser.ttl(validFor) else {
        return (64, ["--valid-for wants a time such as 7d, 36h or 3600: \(validFor)"])
      }
      window = .seconds(Int64(seconds))
    }
    let name = origin ?? defaultOrigin(path)
    switch await check(path: path, origin: name, anchor: anchor, window: window) {
    case .unreadable(let why): return (2, ["\(path): could not check: \(why)"])
    case .verified(let coverage): return (0, ["\(path): \(name) verifies: \(coverage)"])
    case .failed(let problems):
      return (1, problems.split(separator: "; ").map { "\(path): \($0)" })
    }
  }

  /// `zones/example.com.signed` → `example.com`.
  static func defaultOrigin(_ path: String) -> String {
    var base = String(path.split(separator: "/").last ?? "")
    for suffix in [".signed", ".zone", ".db"] where base.hasSuffix(suffix) {
      base.removeLast(suffix.count)
    }
    return base
  }
}
