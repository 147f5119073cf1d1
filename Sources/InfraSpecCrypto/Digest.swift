internal import COpenSSL

/// The hash functions InfraSpec uses, all from OpenSSL's libcrypto (already linked for libssh2
/// and the edge's TLS client, so no second crypto library is built or carried).
package enum DigestAlgorithm: Sendable {
  /// SHA-1: only where a protocol fixes it (DNSSEC algorithms 5 and 7, DS type 1, NSEC3, the
  /// hashed host names of `known_hosts`).
  case sha1
  case sha256
  case sha384
  case sha512

  /// The algorithm, fetched from the default provider once per process. OpenSSL 3 resolves the
  /// legacy `EVP_sha256()` handles by a locked lookup on every use; a zone of 100,000 records
  /// makes hundreds of thousands of digests.
  var openSSL: OpaquePointer {
    switch self {
    case .sha1: Self.fetched.sha1
    case .sha256: Self.fetched.sha256
    case .sha384: Self.fetched.sha384
    case .sha512: Self.fetched.sha512
    }
  }

  private struct Fetched: @unchecked Sendable {
    let sha1 = fetch("SHA1")
    let sha256 = fetch("SHA256")
    let sha384 = fetch("SHA384")
    let sha512 = fetch("SHA512")

    static func fetch(_ name: String) -> OpaquePointer {
      guard let algorithm = EVP_MD_fetch(nil, name, nil) else {
        preconditionFailure("OpenSSL's default provider has no \(name)")
      }
      return algorithm
    }
  }

  private static let fetched = Fetched()
}

/// One-shot digests and HMACs.
package enum Digest {
  /// The digest of `bytes`.
  package static func hash(_ algorithm: DigestAlgorithm, _ bytes: some Collection<UInt8>) -> [UInt8] {
    var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let done = withContiguousBytes(bytes) { input in
      EVP_Digest(input.baseAddress, input.count, &output, &length, algorithm.openSSL, nil)
    }
    // EVP_Digest fails only when out of memory or for an unavailable digest: none of these four.
    precondition(done == 1, "EVP_Digest failed")
    return Array(output.prefix(Int(length)))
  }

  /// The SHA-256 of `bytes`.
  package static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] { hash(.sha256, bytes) }

  /// The HMAC of `bytes` under `key` (RFC 2104).
  package static func hmac(
    _ algorithm: DigestAlgorithm, key: some Collection<UInt8>, _ bytes: some Collection<UInt8>
  ) -> [UInt8] {
    var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let done = withContiguousBytes(key) { key in
      withContiguousBytes(bytes) { input in
        HMAC(
          algorithm.openSSL, key.baseAddress, Int32(key.count),
          input.baseAddress?.assumingMemoryBound(to: UInt8.self),
          input.count, &output, &length) != nil
      }
    }
    precondition(done, "HMAC failed")
    return Array(output.prefix(Int(length)))
  }

  /// Lower-case hexadecimal, two digits a byte.
  package static func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}

/// A digest fed piece by piece, for a body read in chunks.
package final class StreamingDigest {
  private let context: OpaquePointer

  package init(_ algorithm: DigestAlgorithm) {
    guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, algorithm.openSSL, nil) == 1 else {
      preconditionFailure("EVP_DigestInit_ex failed")
    }
    self.context = context
  }

  deinit { EVP_MD_CTX_free(context) }

  package func update(_ bytes: some Collection<UInt8>) {
    let done = withContiguousBytes(bytes) { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    precondition(done == 1, "EVP_DigestUpdate failed")
  }

  /// The digest of everything fed; the digest cannot be fed after this.
  package func finalize() -> [UInt8] {
    var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    precondition(EVP_DigestFinal_ex(context, &output, &length) == 1, "EVP_DigestFinal_ex failed")
    return Array(output.prefix(Int(length)))
  }
}

/// `body` with the bytes of `bytes` in one contiguous buffer (copied only when they are not).
func withContiguousBytes<C: Collection<UInt8>, R>(_ bytes: C, _ body: (UnsafeRawBufferPointer) -> R) -> R {
  if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
    return result
  }
  return Array(bytes).withUnsafeBytes(body)
}
