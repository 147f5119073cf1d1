@_spi(Runner) internal import InfraSpecCore
#if canImport(Glibc)
  internal import Glibc
#endif

/// Verifies a signed zone offline, as ldns-verify-zone and dnssec-verify do, plus validns's
/// window: every RRset carries a signature by a zone key that verifies and is valid at every
/// moment from `now` to `now + window`, the NSEC or NSEC3 chain is complete, and with an anchor
/// the DNSKEY set is signed by the anchored key. Signatures are checked on every core.
package enum DNSZoneVerifier {
  package struct Result: Sendable {
    package var findings: [DNSSECFinding]
    package var rrsets: Int
    package var names: Int
    package var signatures: Int
    package var earliestExpiry: Int64?

    var passed: Bool { findings.allSatisfy(\.passed) }
  }

  package static func verify(
    _ records: [DNSResourceRecord], origin: DNSName, anchor: DNSSECTrustAnchor? = nil, now: Int64,
    window: Int64 = 0
  ) async -> Result {
    let content = DNSSECZoneContent.fromTransfer(records, zone: origin)
    var findings = content.findings
    let keys: [DNSKEYRecord] = (content.rrsets[.init(name: origin, type: .dnskey)] ?? []).compactMap {
      if case .dnskey(let key) = $0.rdata { key } else { nil }
    }
    guard content.rrsets[.init(name: origin, type: .soa)] != nil else {
      return Result(
        findings: [.failed(.signed, "no SOA at \(origin.text): is the origin right?")], rrsets: 0, names: 0,
        signatures: 0)
    }
    guard !keys.isEmpty else {
      return Result(
        findings: [.failed(.signed, "\(origin.text) has no DNSKEY")], rrsets: content.order.count,
        names: content.names, signatures: 0)
    }
    if let anchor {
      findings += anchorFindings(
        anchor, keys: keys, content: content, origin: origin, now: now, window: window)
    }
    let order = content.order
    let workers = max(1, min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    // Several chunks per core, taken as cores free up: a core another process holds for a while
    // does not leave half the zone waiting on it.
    let chunk = max(1, (order.count + workers * 8 - 1) / (workers * 8))
    let parts = await withTaskGroup(of: (Int, [DNSSECFinding], Int, Int64?).self) { group in
      for start in stride(from: 0, to: order.count, by: chunk) {
        let slice = Array(order[start..<min(start + chunk, order.count)])
        group.addTask {
          var found: [DNSSECFinding] = []
          var count = 0
          var earliest: Int64?
          for key in slice {
            let signatures = content.signatures[key] ?? []
            count += signatures.count
            let result = judge(
              key, rrset: content.rrsets[key] ?? [], signatures: signatures, keys: keys, now: now,
              window: window)
            if let problem = result.problem { found.append(problem) }
            if let expiry = result.expiry { earliest = min(earliest ?? expiry, expiry) }
          }
          return (start, found, count, earliest)
        }
      }
      var all: [(Int, [DNSSECFinding], Int, Int64?)] = []
      for await part in group { all.append(part) }
      return all.sorted { $0.0 < $1.0 }
    }
    var signatures = 0
    var earliest: Int64?
    for part in parts {
      findings += part.1
      signatures += part.2
      if let expiry = part.3 { earliest = min(earliest ?? expiry, expiry) }
    }
    return Result(
      findings: findings, rrsets: order.count, names: content.names, signatures: signatures,
      earliestExpiry: earliest)
  }

  /// The problem with one RRset, if none of its signatures holds for the whole window; and the
  /// expiry of the signature that holds longest.
  static func judge(
    _ key: DNSSECZoneContent.Key, rrset: [DNSResourceRecord], signatures: [RRSIGRecord], keys: [DNSKEYRecord],
    now: Int64, window: Int64
  ) -> (problem: DNSSECFinding?, expiry: Int64?) {
    let label = "\(key.name.text)/\(key.type)"
    guard !signatures.isEmpty else { return (.failed(.signature, "\(label) has no RRSIG"), nil) }
    var problem: String?
    var best: Int64?
    var unsupported = false
    for signature in signatures {
      let prefix = "RRSIG \(label) by key \(signature.keyTag)"
      switch DNSSECValidator.verify(rrset: rrset, signature: signature, keys: keys) {
      case .verified:
        let inception = DNSSECValidator.absoluteTime(signature.inception, near: now)
        let expiration = DNSSECValidator.absoluteTime(signature.expiration, near: now)
        if inception > now {
          problem = problem ?? "\(prefix) is not valid until \(DNSSECAudit.day(inception))"
        } else if expiration < now {
          problem = problem ?? "\(prefix) expired \(DNSSECAudit.day(expiration))"
        } else if expiration < now + window {
          problem =
            problem
            ?? "\(prefix) expires \(DNSSECAudit.day(expiration)), before the \(DNSSECAudit.span(window)) wanted"
          best = max(best ?? expiration, expiration)
        } else {
          best = max(best ?? expiration, expiration)
          return (nil, best)
        }
      case .noMatchingKey: problem = problem ?? "\(prefix) matches no DNSKEY at the apex"
      case .doesNotVerify: problem = "\(prefix) does not verify"
      case .unsupportedAlgorithm:
        unsupported = true
      case .malformed(let detail): problem = problem ?? "\(prefix) cannot be checked: \(detail)"
      }
    }
    // Only algorithms InfraSpec does not implement: no verdict, not a failure (`policy` marks it).
    if unsupported && problem == nil {
      return (.failed(.policy, "\(label) is signed only with algorithms InfraSpec cannot verify"), best)
    }
    return (.failed(.signature, problem ?? "\(label) has no usable RRSIG"), best)
  }

  private static func anchorFindings(
    _ anchor: DNSSECTrustAnchor, keys: [DNSKEYRecord], content: DNSSECZoneContent, origin: DNSName,
    now: Int64,
    window: Int64
  ) -> [DNSSECFinding] {
    guard anchor.zone == origin else {
      return [.failed(.delegation, "the anchor is for \(anchor.zone.text), the zone is \(origin.text)")]
    }
    let anchored = keys.filter { key in
      anchor.keys.contains { $0.publicKey == key.publicKey && $0.algorithm == key.algorithm }
        || anchor.ds.contains { DNSSECValidator.matches($0, key: key, owner: origin) == true }
    }
    guard !anchored.isEmpty else {
      return [.failed(.delegation, "no DNSKEY of \(origin.text) matches the trust anchor")]
    }
    let key = DNSSECZoneContent.Key(name: origin, type: .dnskey)
    let result = judge(
      key, rrset: content.rrsets[key] ?? [], signatures: content.signatures[key] ?? [], keys: anchored,
      now: now,
      window: window)
    if let problem = result.problem {
      return [.failed(.delegation, "by the anchored key: \(problem.message)")]
    }
    return [.passed(.delegation, "the DNSKEY set is signed by the anchored key")]
  }
}
