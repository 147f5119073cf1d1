@_spi(Runner) internal import InfraSpecCore

/// NSEC and NSEC3 proofs that a name or a type does not exist (RFC 4035 §5.4, RFC 5155 §8).
struct DNSSECDenial: Sendable {
  enum Proof: String, Sendable, Equatable {
    case nsec = "NSEC"
    case nsec3 = "NSEC3"
  }

  var zone: DNSName
  /// NSEC records whose signatures were verified, by owner.
  var nsec: [(owner: DNSName, record: NSECRecord)]
  /// NSEC3 records whose signatures were verified, by owner.
  var nsec3: [(owner: DNSName, record: NSEC3Record)]

  init(zone: DNSName, records: [DNSResourceRecord]) {
    self.zone = zone
    nsec = records.compactMap { record in
      if case .nsec(let data) = record.rdata { (record.name, data) } else { nil }
    }
    nsec3 = records.compactMap { record in
      if case .nsec3(let data) = record.rdata, data.hashAlgorithm == 1 { (record.name, data) } else { nil }
    }
  }

  static func covers(owner: DNSName, next: DNSName, name: DNSName) -> Bool {
    guard owner < name else { return false }
    return name < next || next <= owner
  }

  private static func commonAncestor(_ left: DNSName, _ right: DNSName) -> DNSName {
    let matching = zip(left.labels.reversed(), right.labels.reversed()).prefix {
      DNSName.lowercase($0) == DNSName.lowercase($1)
    }.count
    return left.suffix(labelCount: matching)
  }

  func provesNameError(_ name: DNSName) -> Proof? {
    if nsecProvesNameError(name) { return .nsec }
    if nsec3ProvesNameError(name) { return .nsec3 }
    return nil
  }

  func provesNoData(_ name: DNSName, type: DNSRecordType) -> Proof? {
    if nsec.contains(where: {
      $0.owner == name && !$0.record.types.contains(type) && !$0.record.types.contains(.cname)
    }) {
      return .nsec
    }
    if let match = nsec3Match(name), !match.types.contains(type), !match.types.contains(.cname) {
      return .nsec3
    }
    return nil
  }

  /// An answer synthesized from a wildcard is proven when the name asked for provably does not
  /// exist itself: an NSEC covers it, or an NSEC3 covers its next closer name (RFC 4035 §5.3.4,
  /// RFC 5155 §8.8). `signatureLabels` is the RRSIG's label count, the wildcard's parent's depth.
  func provesWildcardExpansion(_ name: DNSName, signatureLabels: Int) -> Proof? {
    if nsecCovered(name) != nil { return .nsec }
    guard signatureLabels < name.labels.count else { return nil }
    if nsec3Covers(name.suffix(labelCount: signatureLabels + 1)) { return .nsec3 }
    return nil
  }

  /// The types the NSEC or NSEC3 record owned by (or matching) `name` lists; nil without one.
  func types(at name: DNSName) -> [DNSRecordType]? {
    if let match = nsec.first(where: { $0.owner == name }) { return match.record.types }
    return nsec3Match(name)?.types
  }

  private func nsecCovered(_ name: DNSName) -> (owner: DNSName, record: NSECRecord)? {
    nsec.first {
      $0.owner.isSubdomain(of: zone) && Self.covers(owner: $0.owner, next: $0.record.nextName, name: name)
    }
  }

  private func nsecProvesNameError(_ name: DNSName) -> Bool {
    guard let covering = nsecCovered(name) else { return false }
    let fromOwner = Self.commonAncestor(name, covering.owner)
    let fromNext = Self.commonAncestor(name, covering.record.nextName)
    let closestEncloser = fromOwner.labels.count >= fromNext.labels.count ? fromOwner : fromNext
    guard closestEncloser.isSubdomain(of: zone),
      let wildcard = try? closestEncloser.prepending([UInt8(ascii: "*")])
    else { return false }
    if nsec.contains(where: { $0.owner == wildcard }) { return false }
    return nsecCovered(wildcard) != nil
  }

  private var parameters: (salt: [UInt8], iterations: UInt16)? {
    nsec3.first.map { ($0.record.salt, $0.record.iterations) }
  }

  private func ownerHash(_ owner: DNSName) -> [UInt8]? {
    guard owner.labels.count == zone.labels.count + 1, owner.parent == zone, let label = owner.labels.first
    else {
      return nil
    }
    return DNSTextEncoding.base32HexDecode(label)
  }

  private func usable() -> [(hash: [UInt8], record: NSEC3Record)] {
    guard let parameters else { return [] }
    return nsec3.compactMap { entry in
      guard entry.record.salt == parameters.salt, entry.record.iterations == parameters.iterations,
        let hash = ownerHash(entry.owner)
      else { return nil }
      return (hash, entry.record)
    }
  }

  private func hash(_ name: DNSName) -> [UInt8]? {
    parameters.map { DNSSECCrypto.nsec3Hash(name, salt: $0.salt, iterations: $0.iterations) }
  }

  private func nsec3Match(_ name: DNSName) -> NSEC3Record? {
    guard let target = hash(name) else { return nil }
    return usable().first { $0.hash == target }?.record
  }

  private func nsec3Covers(_ name: DNSName) -> Bool {
    guard let target = hash(name) else { return false }
    return usable().contains { entry in
      let owner = entry.hash
      let next = entry.record.nextHashedOwner
      let afterOwner = owner.lexicographicallyPrecedes(target)
      let beforeNext = target.lexicographicallyPrecedes(next)
      if owner.lexicographicallyPrecedes(next) { return afterOwner && beforeNext }
      return afterOwner || beforeNext
    }
  }

  private func nsec3ProvesNameError(_ name: DNSName) -> Bool {
    guard name.isSubdomain(of: zone), name != zone, nsec3Match(name) == nil else { return false }
    var candidate = name
    while let parent = candidate.parent, parent.isSubdomain(of: zone) {
      if nsec3Match(parent) != nil {
        guard let wildcard = try? parent.prepending([UInt8(ascii: "*")]) else { return false }
        return nsec3Covers(candidate) && nsec3Covers(wildcard)
      }
      candidate = parent
    }
    return false
  }
}
