@_spi(Runner) internal import InfraSpecCore

/// Checks RRSIGs, DS records and signature lifetimes as RFC 4034 and 4035 define them.
enum DNSSECValidator {
  enum SignatureResult: Sendable, Equatable {
    case verified
    case noMatchingKey
    case doesNotVerify
    case unsupportedAlgorithm
    case malformed(String)
  }

  enum Lifetime: Sendable, Equatable {
    case notYetValid
    case valid
    case expired
  }

  /// The bytes an RRSIG signs: its RDATA minus the signature, then the RRset in canonical form and order.
  static func signedData(rrset: [DNSResourceRecord], signature: RRSIGRecord) -> Result<
    [UInt8], SignatureError
  > {
    guard let first = rrset.first else { return .failure(SignatureError("empty RRset")) }
    let labelCount = Int(signature.labels)
    guard labelCount <= first.name.signatureLabelCount else {
      return .failure(
        SignatureError(
          "RRSIG label count \(labelCount) exceeds the "
            + "\(first.name.signatureLabelCount) labels of \(first.name)"
        ))
    }
    var owner = first.name
    if labelCount < first.name.labels.count {
      owner = DNSName(
        uncheckedLabels: [[UInt8(ascii: "*")]] + first.name.suffix(labelCount: labelCount).labels)
    }
    let ownerWire = owner.canonicalWire
    var seen = Set<[UInt8]>()
    let datas = rrset.map { $0.rdata.wire(canonical: true) }.filter { seen.insert($0).inserted }.sorted {
      $0.lexicographicallyPrecedes($1)
    }
    var writer = DNSWireWriter()
    writer.append(signature.signedPrefix)
    for data in datas {
      writer.append(ownerWire)
      writer.u16(first.type.rawValue)
      writer.u16(first.recordClass)
      writer.u32(signature.originalTTL)
      writer.u16(UInt16(data.count))
      writer.append(data)
    }
    return .success(writer.bytes)
  }

  /// Why an RRSIG could not even be checked.
  struct SignatureError: Error, Sendable, Equatable {
    var detail: String
    init(_ detail: String) { self.detail = detail }
  }

  /// Verifies `signature` over `rrset` with any of `keys` whose tag and algorithm match; ignores time.
  static func verify(rrset: [DNSResourceRecord], signature: RRSIGRecord, keys: [DNSKEYRecord])
    -> SignatureResult
  {
    guard let first = rrset.first, first.type == signature.typeCovered else {
      return .malformed("RRSIG covers \(signature.typeCovered), not the RRset's type")
    }
    guard first.name.isSubdomain(of: signature.signerName) else {
      return .malformed("signer \(signature.signerName) is not an ancestor of \(first.name)")
    }
    let candidates = keys.filter {
      $0.keyTag == signature.keyTag && $0.algorithm == signature.algorithm && $0.isZoneKey && $0.protocol == 3
        && !$0.isRevoked
    }
    guard !candidates.isEmpty else { return .noMatchingKey }
    let data: [UInt8]
    switch signedData(rrset: rrset, signature: signature) {
    case .success(let bytes): data = bytes
    case .failure(let error): return .malformed(error.detail)
    }
    var result = SignatureResult.doesNotVerify
    for key in candidates {
      switch DNSSECCrypto.verify(signature: signature.signature, over: data, with: key) {
      case .valid: return .verified
      case .invalid: continue
      case .unsupportedAlgorithm: result = .unsupportedAlgorithm
      case .badKey(let detail): result = .malformed(detail)
      }
    }
    return result
  }

  /// Inception and expiration compared with serial-number arithmetic (RFC 1982), as RFC 4034 §3.1.5 asks.
  static func lifetime(of signature: RRSIGRecord, at now: Int64) -> Lifetime {
    let current = UInt32(truncatingIfNeeded: now)
    if Int32(bitPattern: current &- signature.inception) < 0 { return .notYetValid }
    if Int32(bitPattern: signature.expiration &- current) < 0 { return .expired }
    return .valid
  }

  /// The full Unix time a 32-bit RRSIG time stands for: the one within 68 years of `now`.
  static func absoluteTime(_ value: UInt32, near now: Int64) -> Int64 {
    now + Int64(Int32(bitPattern: value &- UInt32(truncatingIfNeeded: now)))
  }

  /// Whether `ds` is the digest of `key` owned by `owner`; nil when the digest type is unknown.
  static func matches(_ ds: DSRecord, key: DNSKEYRecord, owner: DNSName) -> Bool? {
    guard ds.keyTag == key.keyTag, ds.algorithm == key.algorithm else { return false }
    guard let digest = DNSSECCrypto.dsDigest(type: ds.digestType, of: owner.canonicalWire + key.rdata) else {
      return nil
    }
    return digest == ds.digest
  }

  /// Mnemonics from the IANA DNSSEC algorithm registry.
  static func algorithmName(_ algorithm: UInt8) -> String {
    switch algorithm {
    case 1: "RSAMD5"
    case 3: "DSA"
    case 5: "RSASHA1"
    case 6: "DSA-NSEC3-SHA1"
    case 7: "RSASHA1-NSEC3-SHA1"
    case 8: "RSASHA256"
    case 10: "RSASHA512"
    case 12: "ECC-GOST"
    case 13: "ECDSAP256SHA256"
    case 14: "ECDSAP384SHA384"
    case 15: "ED25519"
    case 16: "ED448"
    default: "algorithm \(algorithm)"
    }
  }

  /// RFC 8624 says MUST NOT sign with these.
  static let deprecatedAlgorithms: Set<UInt8> = [1, 3, 5, 6, 7, 12]
}
