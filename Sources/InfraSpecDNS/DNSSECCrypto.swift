@_spi(Runner) internal import InfraSpecCore
import Crypto
import _CryptoExtras

/// Every use of swift-crypto in InfraSpec: DNSSEC signature checks, DS digests and NSEC3 hashes.
enum DNSSECCrypto {
  enum Verification: Sendable, Equatable {
    case valid
    case invalid
    case unsupportedAlgorithm
    case badKey(String)
  }

  /// Key material that cannot be read as an RSA key.
  enum KeyError: Error, Sendable {
    case malformedRSAKey
  }

  /// Algorithms this file can verify (RFC 8624 numbering).
  static let supportedAlgorithms: Set<UInt8> = [5, 7, 8, 10, 13, 14, 15]

  static func verify(signature: [UInt8], over data: [UInt8], with key: DNSKEYRecord) -> Verification {
    do {
      switch key.algorithm {
      case 5, 7:
        let publicKey = try rsaKey(key.publicKey)
        return publicKey.isValidSignature(
          _RSA.Signing.RSASignature(rawRepresentation: signature), for: Insecure.SHA1.hash(data: data),
          padding: .insecurePKCS1v1_5) ? .valid : .invalid
      case 8:
        let publicKey = try rsaKey(key.publicKey)
        return publicKey.isValidSignature(
          _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: data),
          padding: .insecurePKCS1v1_5) ? .valid : .invalid
      case 10:
        let publicKey = try rsaKey(key.publicKey)
        return publicKey.isValidSignature(
          _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA512.hash(data: data),
          padding: .insecurePKCS1v1_5) ? .valid : .invalid
      case 13:
        let publicKey = try P256.Signing.PublicKey(rawRepresentation: key.publicKey)
        guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else {
          return .invalid
        }
        return publicKey.isValidSignature(parsed, for: data) ? .valid : .invalid
      case 14:
        let publicKey = try P384.Signing.PublicKey(rawRepresentation: key.publicKey)
        guard let parsed = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else {
          return .invalid
        }
        return publicKey.isValidSignature(parsed, for: data) ? .valid : .invalid
      case 15:
        let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey)
        return publicKey.isValidSignature(signature, for: data) ? .valid : .invalid
      default:
        return .unsupportedAlgorithm
      }
    } catch {
      return .badKey("DNSKEY \(key.keyTag) algorithm \(key.algorithm) holds no usable public key: \(error)")
    }
  }

  /// DNSKEY RSA keys (RFC 3110) go through a DER `RSAPublicKey`, the only way in for keys under 2048 bits.
  private static func rsaKey(_ bytes: [UInt8]) throws -> _RSA.Signing.PublicKey {
    guard let first = bytes.first else { throw KeyError.malformedRSAKey }
    var offset = 1
    var exponentLength = Int(first)
    if first == 0 {
      guard bytes.count >= 3 else { throw KeyError.malformedRSAKey }
      exponentLength = Int(bytes[1]) << 8 | Int(bytes[2])
      offset = 3
    }
    guard exponentLength > 0, bytes.count > offset + exponentLength else { throw KeyError.malformedRSAKey }
    let exponent = Array(bytes[offset..<offset + exponentLength])
    let modulus = Array(bytes[(offset + exponentLength)...])
    let sequence = derInteger(modulus) + derInteger(exponent)
    return try _RSA.Signing.PublicKey(unsafeDERRepresentation: [0x30] + derLength(sequence.count) + sequence)
  }

  private static func derInteger(_ magnitude: [UInt8]) -> [UInt8] {
    var value = Array(magnitude.drop { $0 == 0 })
    if value.isEmpty || value[0] & 0x80 != 0 { value.insert(0, at: 0) }
    return [0x02] + derLength(value.count) + value
  }

  private static func derLength(_ length: Int) -> [UInt8] {
    if length < 0x80 { return [UInt8(length)] }
    var bytes: [UInt8] = []
    var rest = length
    while rest > 0 {
      bytes.insert(UInt8(rest & 0xFF), at: 0)
      rest >>= 8
    }
    return [0x80 | UInt8(bytes.count)] + bytes
  }

  /// The DS digest of `data` (canonical owner name, then DNSKEY RDATA); nil for unknown digest types.
  static func dsDigest(type: UInt8, of data: [UInt8]) -> [UInt8]? {
    switch type {
    case 1: Array(Insecure.SHA1.hash(data: data))
    case 2: Array(SHA256.hash(data: data))
    case 4: Array(SHA384.hash(data: data))
    default: nil
    }
  }

  /// The iterated, salted SHA-1 of RFC 5155 §5.
  static func nsec3Hash(_ name: DNSName, salt: [UInt8], iterations: UInt16) -> [UInt8] {
    var digest = Array(Insecure.SHA1.hash(data: name.canonicalWire + salt))
    for _ in 0..<iterations {
      digest = Array(Insecure.SHA1.hash(data: digest + salt))
    }
    return digest
  }
}
