@_spi(Runner) internal import InfraSpecCore

extension DNSRData: CustomStringConvertible {
  /// The RDATA as `dig +nosplit` prints it.
  package var description: String {
    switch self {
    case .a(let bytes):
      return bytes.map(String.init).joined(separator: ".")
    case .aaaa(let bytes):
      return Self.ipv6Text(bytes)
    case .ns(let name), .cname(let name), .ptr(let name):
      return name.description
    case .soa(let soa):
      return
        "\(soa.primaryServer) \(soa.responsible) \(soa.serial) "
        + "\(soa.refresh) \(soa.retry) \(soa.expire) \(soa.minimum)"
    case .mx(let preference, let exchange):
      return "\(preference) \(exchange)"
    case .txt(let strings):
      return strings.map(DNSTextEncoding.quoted).joined(separator: " ")
    case .srv(let priority, let weight, let port, let target):
      return "\(priority) \(weight) \(port) \(target)"
    case .caa(let flags, let tag, let value):
      return "\(flags) \(String(decoding: tag, as: UTF8.self)) \(DNSTextEncoding.quoted(value))"
    case .ds(let ds):
      return "\(ds.keyTag) \(ds.algorithm) \(ds.digestType) \(DNSTextEncoding.hex(ds.digest))"
    case .dnskey(let key):
      return "\(key.flags) \(key.protocol) \(key.algorithm) \(DNSTextEncoding.base64(key.publicKey))"
    case .rrsig(let signature):
      return
        "\(signature.typeCovered) \(signature.algorithm) \(signature.labels) \(signature.originalTTL) "
        + "\(Self.timestamp(signature.expiration)) \(Self.timestamp(signature.inception)) "
        + "\(signature.keyTag) "
        + "\(signature.signerName) \(DNSTextEncoding.base64(signature.signature))"
    case .nsec(let nsec):
      return ([nsec.nextName.description] + nsec.types.map(\.description)).joined(separator: " ")
    case .nsec3(let nsec3):
      let salt = nsec3.salt.isEmpty ? "-" : DNSTextEncoding.hex(nsec3.salt)
      return
        ([
          "\(nsec3.hashAlgorithm) \(nsec3.flags) \(nsec3.iterations) \(salt) "
            + DNSTextEncoding.base32Hex(nsec3.nextHashedOwner)
        ] + nsec3.types.map(\.description)).joined(separator: " ")
    case .nsec3param(let algorithm, let flags, let iterations, let salt):
      return "\(algorithm) \(flags) \(iterations) \(salt.isEmpty ? "-" : DNSTextEncoding.hex(salt))"
    case .tlsa(let usage, let selector, let matchingType, let data):
      return "\(usage) \(selector) \(matchingType) \(DNSTextEncoding.hex(data))"
    case .unknown(let bytes):
      return bytes.isEmpty ? "\\# 0" : "\\# \(bytes.count) \(DNSTextEncoding.hex(bytes))"
    }
  }

  /// RFC 5952 text, as `IPAddress` prints every address InfraSpec reports.
  static func ipv6Text(_ bytes: [UInt8]) -> String {
    IPAddress(bytes: bytes)?.description ?? DNSTextEncoding.hex(bytes)
  }

  /// A DNSSEC time as YYYYMMDDHHmmSS in UTC.
  static func timestamp(_ seconds: UInt32) -> String {
    let date = DNSCivilDate(secondsSinceEpoch: Int64(seconds))
    func pad(_ value: Int, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return pad(date.year, 4) + pad(date.month, 2) + pad(date.day, 2) + pad(date.hour, 2) + pad(date.minute, 2)
      + pad(date.second, 2)
  }
}
