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

  /// The outcome of one check.
  package enum Outcome: Sendable, Equatable {
    case valid
    case invalid
    /// The key material is not a key OpenSSL can use; the text says why.
    case unusableKey(String)
  }

  /// Checks `signature` over `data`. RSA signatures are PKCS #1 v1.5 over `digest`'s hash;
  /// ECDSA signatures are DNSSEC's fixed-width `r || s` over `digest`'s hash; Ed25519 hashes
  /// for itself and ignores `digest`.
  package static func verify(
    _ signature: [UInt8], over data: [UInt8], key: PublicKey, digest: DigestAlgorithm
  ) -> Outcome {
    let encodedSignature: [UInt8]
    let parsed: OpaquePointer?
    switch key {
    case .rsa(let exponent, let modulus):
      guard !exponent.isEmpty, !modulus.isEmpty else {
        return .unusableKey("an empty RSA exponent or modulus")
      }
      parsed = rsaKey(exponent: exponent, modulus: modulus)
      encodedSignature = signature
    case .ecdsa(let point):
      guard let prefix = ecdsaPrefixes[point.count] else {
        return .unusableKey("an ECDSA point of \(point.count) bytes, not 64 (P-256) or 96 (P-384)")
      }
      parsed = publicKey(fromSubjectPublicKeyInfo: prefix + [0x04] + point)
      guard signature.count == point.count, let der = derSignature(signature) else { return .invalid }
      encodedSignature = der
    case .ed25519(let raw):
      guard raw.count == 32 else { return .unusableKey("an Ed25519 key of \(raw.count) bytes, not 32") }
      parsed = raw.withUnsafeBufferPointer {
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
      }
      encodedSignature = signature
    }
    guard let parsed else { return .unusableKey(openSSLError(or: "OpenSSL refused the key")) }
    defer { EVP_PKEY_free(parsed) }
    guard let context = EVP_MD_CTX_new() else { return .unusableKey("out of memory") }
    defer { EVP_MD_CTX_free(context) }
    let algorithm: OpaquePointer? =
      if case .ed25519 = key { nil } else { digest.openSSL }
    guard EVP_DigestVerifyInit(context, nil, algorithm, nil, parsed) == 1 else {
      return .unusableKey(openSSLError(or: "OpenSSL cannot verify with this key"))
    }
    let result = encodedSignature.withUnsafeBufferPointer { signature in
      data.withUnsafeBufferPointer { data in
        EVP_DigestVerify(context, signature.baseAddress, signature.count, data.baseAddress, data.count)
      }
    }
    // 0 is a signature that does not verify; below 0 one that could not be read (a wrong
    // length), which for the checker is the same: not valid.
    ERR_clear_error()
    return result == 1 ? .valid : .invalid
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
  private static func derSignature(_ raw: [UInt8]) -> [UInt8]? {
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
