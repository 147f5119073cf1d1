internal import COpenSSL

/// Public keys as DNSSEC publishes them, and signature checks against them, through OpenSSL's
/// EVP interface (no key or signature arithmetic of our own).
package enum SignatureCheck {
  /// A key as it travels in a DNSKEY record (RFC 3110, RFC 6605, RFC 8080).
  package enum PublicKey: Sendable {
    /// An RSA key: its exponent and modulus, big-endian.
    case rsa(exponent: [UInt8], modulus: [UInt8])
    /// An uncompressed ECDSA point `x || y` on P-256 (64 bytes) or P-384 (96 bytes).
    case ecdsa(point: [UInt8])
    /// An Ed25519 key (32 bytes).
    case ed25519([UInt8])
  }

  /// A public key parsed once into OpenSSL's form, to check any number of signatures with (from
  /// any thread: verification only reads it). Parsing is the costly part: OpenSSL 3 runs its
  /// decoder framework for every key it reads.
  package final class VerificationKey: @unchecked Sendable {
    fileprivate let pointer: OpaquePointer
    /// ECDSA's fixed signature width (`r || s`); nil for RSA and Ed25519.
    fileprivate let ecdsaWidth: Int?
    fileprivate let hashesItself: Bool

    fileprivate init(pointer: OpaquePointer, ecdsaWidth: Int?, hashesItself: Bool) {
      self.pointer = pointer
      self.ecdsaWidth = ecdsaWidth
      self.hashesItself = hashesItself
    }

    deinit { EVP_PKEY_free(pointer) }
  }

  /// The key in OpenSSL's form, or why OpenSSL cannot use it.
  package static func parse(_ key: PublicKey) -> Result<VerificationKey, KeyProblem> {
    defer { ERR_clear_error() }
    let parsed: OpaquePointer?
    var width: Int?
    switch key {
    case .rsa(let exponent, let modulus):
      guard !exponent.isEmpty, !modulus.isEmpty else {
        return .failure(KeyProblem(reason: "an empty RSA exponent or modulus"))
      }
      parsed = rsaKey(exponent: exponent, modulus: modulus)
    case .ecdsa(let point):
      guard let prefix = ecdsaPrefixes[point.count] else {
        return .failure(
          KeyProblem(reason: "an ECDSA point of \(point.count) bytes, not 64 (P-256) or 96 (P-384)"))
      }
      parsed = publicKey(fromSubjectPublicKeyInfo: prefix + [0x04] + point)
      width = point.count
    case .ed25519(let raw):
      guard raw.count == 32 else {
        return .failure(KeyProblem(reason: "an Ed25519 key of \(raw.count) bytes, not 32"))
      }
      parsed = raw.withUnsafeBufferPointer {
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
      }
    }
    guard let parsed else { return .failure(KeyProblem(reason: openSSLError(or: "OpenSSL refused the key"))) }
    var hashesItself = false
    if case .ed25519 = key { hashesItself = true }
    return .success(VerificationKey(pointer: parsed, ecdsaWidth: width, hashesItself: hashesItself))
  }

  /// Why a key cannot be used.
  package struct KeyProblem: Error, Sendable {
    package let reason: String

    package init(reason: String) { self.reason = reason }
  }

  /// Whether `signature` over `data` verifies. RSA signatures are PKCS #1 v1.5 over `digest`'s
  /// hash; ECDSA signatures are DNSSEC's fixed-width `r || s` over `digest`'s hash; Ed25519
  /// hashes for itself and ignores `digest`. A signature that cannot even be read does not verify.
  package static func verify(
    _ signature: [UInt8], over data: [UInt8], key: VerificationKey, digest: DigestAlgorithm
  ) -> Bool {
    defer { ERR_clear_error() }
    var encoded = signature
    if let width = key.ecdsaWidth {
      guard signature.count == width else { return false }
      encoded = derSignature(signature)
    }
    guard let context = EVP_MD_CTX_new() else { return false }
    defer { EVP_MD_CTX_free(context) }
    guard EVP_DigestVerifyInit(context, nil, key.hashesItself ? nil : digest.openSSL, nil, key.pointer) == 1
    else { return false }
    return encoded.withUnsafeBufferPointer { signature in
      data.withUnsafeBufferPointer { data in
        EVP_DigestVerify(context, signature.baseAddress, signature.count, data.baseAddress, data.count) == 1
      }
    }
  }

  /// The RSA key through a DER `RSAPublicKey` (PKCS #1), the form OpenSSL reads for any size.
  private static func rsaKey(exponent: [UInt8], modulus: [UInt8]) -> OpaquePointer? {
    let sequence = DER.integer(modulus) + DER.integer(exponent)
    let der = [0x30] + DER.length(sequence.count) + sequence
    return der.withUnsafeBufferPointer { buffer in
      var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
      return d2i_PublicKey(EVP_PKEY_RSA, nil, &cursor, buffer.count)
    }
  }

  private static func publicKey(fromSubjectPublicKeyInfo der: [UInt8]) -> OpaquePointer? {
    der.withUnsafeBufferPointer { buffer in
      var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
      return d2i_PUBKEY(nil, &cursor, buffer.count)
    }
  }

  /// The fixed DER of a SubjectPublicKeyInfo (RFC 5480) up to its uncompressed point, by the
  /// point's length: the algorithm `id-ecPublicKey` with the curve, and the BIT STRING's header.
  private static let ecdsaPrefixes: [Int: [UInt8]] = [
    64: [
      0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A, 0x86,
      0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ],
    96: [
      0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81,
      0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
    ],
  ]

  /// DNSSEC's `r || s` (RFC 6605 §4) as the DER `ECDSA-Sig-Value` OpenSSL verifies.
  private static func derSignature(_ raw: [UInt8]) -> [UInt8] {
    let half = raw.count / 2
    let sequence = DER.integer(Array(raw[..<half])) + DER.integer(Array(raw[half...]))
    return [0x30] + DER.length(sequence.count) + sequence
  }

  private static func openSSLError(or fallback: String) -> String {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0, let reason = ERR_reason_error_string(code) else { return fallback }
    return String(cString: reason)
  }
}

/// The two DER encodings the keys above need (X.690 §8.3 and §8.1.3).
enum DER {
  /// A non-negative INTEGER from its big-endian magnitude.
  static func integer(_ magnitude: [UInt8]) -> [UInt8] {
    var value = Array(magnitude.drop { $0 == 0 })
    if value.isEmpty || value[0] & 0x80 != 0 { value.insert(0, at: 0) }
    return [0x02] + length(value.count) + value
  }

  static func length(_ length: Int) -> [UInt8] {
    if length < 0x80 { return [UInt8(length)] }
    var bytes: [UInt8] = []
    var rest = length
    while rest > 0 {
      bytes.insert(UInt8(rest & 0xFF), at: 0)
      rest >>= 8
    }
    return [0x80 | UInt8(bytes.count)] + bytes
  }
}
