@_spi(Runner) package import InfraSpecCore
internal import InfraSpecTransports
internal import COpenSSL
internal import InfraSpecCrypto
internal import FoundationEssentials

#if canImport(Glibc)
  internal import Glibc
#endif

/// One certificate as OpenSSL parsed it, with the fields checks read; the DER stays so the chain
/// can be handed back to OpenSSL for verification.
package struct X509Certificate: Sendable, Equatable {
  var der: [UInt8]
  /// RFC 2253 text, e.g. `CN=www.pop.test,O=PoP`.
  package var subject: String
  package var issuer: String
  var commonName: String?
  /// Seconds since the epoch.
  package var notBefore: Int64
  package var notAfter: Int64
  package var dnsNames: [String]
  package var ipAddresses: [String]
  /// Base64 of the SHA-256 of the DER SubjectPublicKeyInfo (the HPKP / `curl --pinnedpubkey` pin).
  package var spkiSHA256: String
  package var isCA: Bool

  /// How reports name it: its common name, else its whole subject.
  package var name: String { commonName ?? subject }

  init(der: [UInt8]) throws(ProbeError) {
    let pointer = try Self.parse(der)
    defer { X509_free(pointer) }
    try self.init(pointer)
  }

  /// Copies the fields out of an OpenSSL `X509`; the caller keeps ownership.
  init(_ pointer: OpaquePointer) throws(ProbeError) {
    var out: UnsafeMutablePointer<UInt8>?
    let length = i2d_X509(pointer, &out)
    guard length > 0, let out else { throw .other("OpenSSL could not encode a certificate") }
    der = Array(UnsafeBufferPointer(start: out, count: Int(length)))
    infraspec_openssl_free(out)
    subject = Self.text(X509_get_subject_name(pointer))
    issuer = Self.text(X509_get_issuer_name(pointer))
    var buffer = [CChar](repeating: 0, count: 256)
    let count = X509_NAME_get_text_by_NID(X509_get_subject_name(pointer), NID_commonName, &buffer, 256)
    commonName =
      count > 0
      ? String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    notBefore = try Self.seconds(X509_get0_notBefore(pointer))
    notAfter = try Self.seconds(X509_get0_notAfter(pointer))
    (dnsNames, ipAddresses) = Self.alternativeNames(pointer)
    var key: UnsafeMutablePointer<UInt8>?
    let keyLength = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(pointer), &key)
    guard keyLength > 0, let key else { throw .other("OpenSSL could not encode a public key") }
    spkiSHA256 = Data(Digest.sha256(UnsafeBufferPointer(start: key, count: Int(keyLength))))
      .base64EncodedString()
    infraspec_openssl_free(key)
    isCA = X509_check_ca(pointer) != 0
  }

  /// Every certificate in PEM text, in file order.
  package static func certificates(pem: [UInt8]) throws(ProbeError) -> [X509Certificate] {
    var found: [X509Certificate] = []
    var failure: ProbeError?
    pem.withUnsafeBytes { bytes in
      let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count))
      defer { BIO_free(bio) }
      while let pointer = PEM_read_bio_X509(bio, nil, nil, nil) {
        do throws(ProbeError) {
          found.append(try X509Certificate(pointer))
        } catch {
          failure = error
        }
        X509_free(pointer)
      }
      ERR_clear_error()
    }
    if let failure { throw failure }
    return found
  }

  /// Whether the certificate names `host` (a DNS name, wildcards per RFC 6125, or an IP address).
  package func covers(_ host: String) -> Bool {
    guard let pointer = try? Self.parse(der) else { return false }
    defer { X509_free(pointer) }
    if Self.isIPAddress(host) { return X509_check_ip_asc(pointer, host, 0) == 1 }
    return X509_check_host(pointer, host, host.utf8.count, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS), nil)
      == 1
  }

  /// Whether `pem` holds a private key that belongs to this certificate's public key.
  package func matches(privateKeyPEM pem: [UInt8]) throws(ProbeError) -> Bool {
    let pointer = try Self.parse(der)
    defer { X509_free(pointer) }
    let key: OpaquePointer? = pem.withUnsafeBytes { bytes in
      let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count))
      defer { BIO_free(bio) }
      // A passphrase callback that gives none, so an encrypted key never prompts on a terminal.
      return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
    }
    guard let key else {
      ERR_clear_error()
      throw .other("no unencrypted PEM private key in the file")
    }
    defer { EVP_PKEY_free(key) }
    let matches = X509_check_private_key(pointer, key) == 1
    ERR_clear_error()
    return matches
  }

  static func parse(_ der: [UInt8]) throws(ProbeError) -> OpaquePointer {
    let pointer: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
      var start = buffer.baseAddress
      return d2i_X509(nil, &start, buffer.count)
    }
    guard let pointer else {
      ERR_clear_error()
      throw .other("not a DER certificate")
    }
    return pointer
  }

  static func isIPAddress(_ text: String) -> Bool {
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
  }

  private static func text(_ name: OpaquePointer?) -> String {
    guard let name, let bio = BIO_new(BIO_s_mem()) else { return "?" }
    defer { BIO_free(bio) }
    infraspec_x509_name_print(bio, name)
    var data: UnsafeMutablePointer<CChar>?
    let length = infraspec_bio_mem_data(bio, &data)
    guard length > 0, let data else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
  }

  private static func seconds(_ time: UnsafePointer<ASN1_TIME>?) throws(ProbeError) -> Int64 {
    var parts = tm()
    guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else {
      throw .other("a certificate has an unreadable validity date")
    }
    return Int64(timegm(&parts))
  }

  private static func alternativeNames(_ pointer: OpaquePointer) -> (dns: [String], ip: [String]) {
    guard let names = infraspec_x509_subject_alt_names(pointer) else { return ([], []) }
    defer { GENERAL_NAMES_free(names) }
    var dns: [String] = []
    var ip: [String] = []
    for index in 0..<infraspec_general_names_count(names) {
      var type: Int32 = 0
      guard let entry = infraspec_general_names_get(names, index),
        let value = infraspec_general_name_value(entry, &type),
        let bytes = ASN1_STRING_get0_data(value)
      else { continue }
      let raw = Array(UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(value))))
      if type == GEN_DNS {
        dns.append(String(decoding: raw, as: UTF8.self))
      } else if raw.count == 4 || raw.count == 16 {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        raw.withUnsafeBytes {
          _ = inet_ntop(raw.count == 4 ? AF_INET : AF_INET6, $0.baseAddress, &text, socklen_t(text.count))
        }
        ip.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
      }
    }
    return (dns, ip)
  }
}
