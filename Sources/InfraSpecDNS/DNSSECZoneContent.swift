@_spi(Runner) internal import InfraSpecCore

/// A zone's signed RRsets as one server lets them be enumerated: by zone transfer when it allows
/// one, else by walking the NSEC chain; with NSEC3 (which hides the names) the apex, the names the
/// spec mentions and the NSEC3 records seen. Chain defects found on the way are findings.
struct DNSSECZoneContent: Sendable {
  enum Method: Sendable, Equatable {
    case transfer
    case nsecWalk
    case nsec3
  }

  struct Key: Hashable, Sendable {
    var name: DNSName
    var type: DNSRecordType
  }

  var method: Method
  private(set) var order: [Key] = []
  private(set) var rrsets: [Key: [DNSResourceRecord]] = [:]
  private(set) var signatures: [Key: [RRSIGRecord]] = [:]
  /// Defects of the zone found while enumerating it (a broken NSEC chain, a wildcard answer unproven).
  var findings: [DNSSECFinding] = []
  /// Names the spec mentions, counted for the coverage line with NSEC3.
  var mentioned = 0

  init(method: Method) {
    self.method = method
  }

  var names: Int { Set(order.map(\.name)).count }

  func contains(_ name: DNSName, _ type: DNSRecordType) -> Bool {
    rrsets[Key(name: name, type: type)] != nil
  }

  /// Adds an RRset and its signatures; adding the same RRset twice keeps the first.
  mutating func add(_ records: [DNSResourceRecord], signatures found: [RRSIGRecord]) {
    guard let first = records.first else { return }
    let key = Key(name: first.name, type: first.type)
    guard rrsets[key] == nil else { return }
    order.append(key)
    rrsets[key] = records
    signatures[key] = found
  }

  /// The records of a transfer, without what the zone does not sign: NS at a delegation and
  /// anything below one (glue, occluded data).
  static func fromTransfer(_ records: [DNSResourceRecord], zone: DNSName) -> DNSSECZoneContent {
    var content = DNSSECZoneContent(method: .transfer)
    let cuts = Set(records.filter { $0.type == .ns && $0.name != zone }.map(\.name))
    func isCut(_ name: DNSName) -> Bool { cuts.contains(name) }
    func belowCut(_ name: DNSName) -> Bool {
      // Most zones delegate nothing: no parent walk per record then.
      if cuts.isEmpty { return false }
      var candidate = name.parent
      while let current = candidate, current.isSubdomain(of: zone), current != zone {
        if cuts.contains(current) { return true }
        candidate = current.parent
      }
      return false
    }
    // Sized up front: growing dictionaries of a 100,000-record zone rehashes every key many times.
    var grouped: [Key: [DNSResourceRecord]] = [:]
    var signatures: [Key: [RRSIGRecord]] = [:]
    var order: [Key] = []
    grouped.reserveCapacity(records.count / 2)
    signatures.reserveCapacity(records.count / 2)
    order.reserveCapacity(records.count / 2)
    for record in records where record.name.isSubdomain(of: zone) && !belowCut(record.name) {
      if case .rrsig(let signature) = record.rdata {
        signatures[Key(name: record.name, type: signature.typeCovered), default: []].append(signature)
        continue
      }
      if isCut(record.name) && record.type != .ds && record.type != .nsec { continue }
      let key = Key(name: record.name, type: record.type)
      if grouped[key] == nil { order.append(key) }
      grouped[key, default: []].append(record)
    }
    // What `add` would build for each key of `order`, without hashing every key into two more
    // dictionaries; readers take a missing signature list as none.
    content.order = order
    content.rrsets = grouped
    content.signatures = signatures
    content.findings += content.chainFindings(zone: zone)
    return content
  }

  /// Whether the NSEC records link every owner into one loop from the apex; for NSEC3 whether the
  /// hashed owners do. Only meaningful for a transfer, which has every record.
  func chainFindings(zone: DNSName) -> [DNSSECFinding] {
    var nsec: [DNSName: DNSName] = [:]
    var nsec3: [[UInt8]: [UInt8]] = [:]
    for key in order {
      for record in rrsets[key] ?? [] {
        switch record.rdata {
        case .nsec(let data): nsec[record.name] = data.nextName
        case .nsec3(let data):
          if let label = record.name.labels.first, let hash = DNSTextEncoding.base32HexDecode(label) {
            nsec3[hash] = data.nextHashedOwner
          }
        default: break
        }
      }
    }
    var findings: [DNSSECFinding] = []
    if !nsec.isEmpty {
      var current = zone
      var visited: Set<DNSName> = []
      while visited.insert(current).inserted {
        guard let next = nsec[current] else {
          findings.append(
            .failed(.denial, "\(current.text) has no NSEC: the NSEC chain of \(zone.text) breaks there"))
          break
        }
        current = next
      }
      let unlinked = Set(nsec.keys).subtracting(visited)
      if findings.isEmpty && !unlinked.isEmpty {
        let names = unlinked.sorted(by: <).prefix(3).map(\.text).joined(separator: ", ")
        findings.append(.failed(.denial, "NSEC records at \(names) are not on the chain from \(zone.text)"))
      }
    }
    if !nsec3.isEmpty {
      let owners = nsec3.keys.sorted { $0.lexicographicallyPrecedes($1) }
      for (index, owner) in owners.enumerated() {
        let following = owners[(index + 1) % owners.count]
        if nsec3[owner] != following {
          let label = DNSTextEncoding.base32Hex(owner).lowercased()
          findings.append(
            .failed(
              .denial,
              "the NSEC3 at \(label).\(zone.text) does not point to the next hashed owner: the NSEC3 chain has a gap"
            ))
        }
      }
    }
    return findings
  }

  /// "41 RRsets at 17 names (zone transfer)": what a verdict about the whole zone rests on.
  var coverage: String {
    let sets = order.count == 1 ? "1 RRset" : "\(order.count) RRsets"
    let at = names == 1 ? "1 name" : "\(names) names"
    switch method {
    case .transfer: return "\(sets) at \(at) (zone transfer)"
    case .nsecWalk: return "\(sets) at \(at) (NSEC chain walked)"
    case .nsec3:
      let spec = mentioned == 1 ? "1 name the spec mentions" : "\(mentioned) names the spec mentions"
      return "\(sets) at \(at) (NSEC3 hides the other names: the apex, \(spec) and the NSEC3 records seen)"
    }
  }
}
