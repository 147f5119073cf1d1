@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecCrypto
internal import InfraSpecPlatform

/// DNSSEC's cryptography: signature checks, DS digests and NSEC3 hashes, by RFC 8624 number.
enum DNSSECCrypto {
  enum Verification: Sendable, Equatable {
    case valid
    case invalid
    case unsupportedAlgorithm
    case badKey(String)
  }

  /// Algorithms this file can verify (RFC 8624 numbering).
  static let supportedAlgorithms: Set<UInt8> = [5, 7, 8, 10, 13, 14, 15]

  static func verify(signature: [UInt8], over data: [UInt8], with key: DNSKEYRecord) -> Verification {
    let digest: DigestAlgorithm
    switch key.algorithm {
    case 5, 7: digest = .sha1
    case 8: digest = .sha256
    case 10: digest = .sha512
    case 13: digest = .sha256
    case 14: digest = .sha384
    case 15: digest = .sha512
    default: return .unsupportedAlgorithm
    }
    switch verificationKey(key) {
    case .success(let parsed):
      return SignatureCheck.verify(signature, over: data, key: parsed, digest: digest) ? .valid : .invalid
    case .failure(let problem):
      return .badKey(
        "DNSKEY \(key.keyTag) algorithm \(key.algorithm) holds no usable public key: \(problem.reason)")
    }
  }

  /// Keys parsed once per process: a zone's few DNSKEYs sign every one of its RRsets. Bounded, so
  /// a stream of hostile keys cannot grow it without end.
  private static let keys = KeyCache()

  private final class KeyCache: @unchecked Sendable {
    private let lock = ThreadLock()
    private var parsed: [[UInt8]: Result<SignatureCheck.VerificationKey, SignatureCheck.KeyProblem>] = [:]

    func key(_ record: DNSKEYRecord) -> Result<SignatureCheck.VerificationKey, SignatureCheck.KeyProblem> {
      let id = [record.algorithm] + record.publicKey
      if let known = lock.withLock({ parsed[id] }) { return known }
      let made = DNSSECCrypto.parse(record)
      lock.withLock {
        if parsed.count >= 1024 { parsed.removeAll() }
        parsed[id] = made
      }
      return made
    }
  }

  private static func verificationKey(_ key: DNSKEYRecord)
    -> Result<SignatureCheck.VerificationKey, SignatureCheck.KeyProblem>
  {
    keys.key(key)
  }

  private static func parse(_ key: DNSKEYRecord) -> Result<
    SignatureCheck.VerificationKey, SignatureCheck.KeyProblem
  > {
    switch key.algorithm {
    case 5, 7, 8, 10:
      guard let (exponent, modulus) = rsaParts(key.publicKey) else {
        return .failure(SignatureCheck.KeyProblem(reason: "malformed RSA key"))
      }
      return SignatureCheck.parse(.rsa(exponent: exponent, modulus: modulus))
    case 13, 14:
      let width = key.algorithm == 13 ? 64 : 96
      guard key.publicKey.count == width else {
        return .failure(SignatureCheck.KeyProblem(reason: "\(key.publicKey.count) bytes, not \(width)"))
      }
      return SignatureCheck.parse(.ecdsa(point: key.publicKey))
    default:
      return SignatureCheck.parse(.ed25519(key.publicKey))
    }
  }

  /// An RFC 3110 key's exponent and modulus: a one-byte exponent length, or zero and two bytes.
  private static func rsaParts(_ bytes: [UInt8]) -> (exponent: [UInt8], modulus: [UInt8])? {
    guard let first = bytes.first else { return nil }
    var offset = 1
    var exponentLength = Int(first)
    if first == 0 {
      guard bytes.count >= 3 else { return nil }
      exponentLength = Int(bytes[1]) << 8 | Int(bytes[2])
      offset = 3
    }
    guard exponentLength > 0, bytes.count > offset + exponentLength else { return nil }
    return (Array(bytes[offset..<offset + exponentLength]), Array(bytes[(offset + exponentLength)...]))
  }

  /// The DS digest of `data` (canonical owner name, then DNSKEY RDATA); nil for unknown digest types.
  static func dsDigest(type: UInt8, of data: [UInt8]) -> [UInt8]? {
    switch type {
    case 1: Digest.hash(.sha1, data)
    case 2: Digest.hash(.sha256, data)
    case 4: Digest.hash(.sha384, data)
    default: nil
    }
  }

  /// The iterated, salted SHA-1 of RFC 5155 §5.
  static func nsec3Hash(_ name: DNSName, salt: [UInt8], iterations: UInt16) -> [UInt8] {
    var digest = Digest.hash(.sha1, name.canonicalWire + salt)
    for _ in 0..<iterations {
      digest = Digest.hash(.sha1, digest + salt)
    }
    return digest
  }
}
