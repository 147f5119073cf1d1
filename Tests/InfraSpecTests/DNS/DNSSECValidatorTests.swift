import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite struct DNSSECValidatorTests {
  static let rfc4034Key = DNSKEYRecord(
    flags: 256, protocol: 3, algorithm: 5,
    publicKey: DNSTextEncoding.base64Decode(
      "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw=="
    ) ?? [])

  @Test("key tag and SHA-1 DS digest match RFC 4034 section 5.4")
  func rfc4034() throws {
    #expect(Self.rfc4034Key.keyTag == 60485)
    let ds = DSRecord(
      keyTag: 60485, algorithm: 5, digestType: 1,
      digest: [
        0x2B, 0xB1, 0x83, 0xAF, 0x5F, 0x22, 0x58, 0x81, 0x79, 0xA5, 0x3B, 0x0A, 0x98, 0x63, 0x1F, 0xAD, 0x1A,
        0x29, 0x21,
        0x18,
      ])
    #expect(
      DNSSECValidator.matches(ds, key: Self.rfc4034Key, owner: try DNSName("DSKEY.example.com")) == true)
    var other = ds
    other.digest[0] ^= 1
    #expect(
      DNSSECValidator.matches(other, key: Self.rfc4034Key, owner: try DNSName("dskey.example.com")) == false)
    other.digestType = 99
    #expect(
      DNSSECValidator.matches(other, key: Self.rfc4034Key, owner: try DNSName("dskey.example.com")) == nil)
  }

  @Test(
    "NSEC3 hashes match RFC 5155 appendix A",
    arguments: [
      ("example", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"),
      ("a.example", "35mthgpgcu1qg68fab165klnsnk3dpvl"),
      ("ai.example", "gjeqe526plbf1g8mklp59enfd789njgi"),
      ("ns1.example", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"),
    ])
  func nsec3Hash(name: String, hash: String) throws {
    let digest = DNSSECCrypto.nsec3Hash(try DNSName(name), salt: [0xAA, 0xBB, 0xCC, 0xDD], iterations: 12)
    #expect(DNSTextEncoding.base32Hex(digest).lowercased() == hash)
    #expect(DNSTextEncoding.base32HexDecode(Array(hash.utf8)) == digest)
  }

  @Test("signature lifetimes use serial-number arithmetic across the 2106 wrap")
  func lifetime() {
    var signature = RRSIGRecord(
      typeCovered: .a, algorithm: 13, labels: 2, originalTTL: 60, expiration: 100, inception: 4_294_967_000,
      keyTag: 1, signerName: .root, signature: [])
    let afterWrap: Int64 = 4_294_967_296 + 50
    #expect(DNSSECValidator.lifetime(of: signature, at: afterWrap) == .valid)
    #expect(DNSSECValidator.lifetime(of: signature, at: afterWrap + 100) == .expired)
    #expect(DNSSECValidator.lifetime(of: signature, at: 4_294_966_000) == .notYetValid)
    #expect(DNSSECValidator.absoluteTime(100, near: afterWrap) == 4_294_967_396)
    signature.expiration = 2_000_000_000
    signature.inception = 1_900_000_000
    #expect(DNSSECValidator.lifetime(of: signature, at: 1_950_000_000) == .valid)
  }

  @Test("NSEC ranges cover names in canonical order, wrapping at the last NSEC")
  func nsecCovers() throws {
    let apex = try DNSName("example")
    let a = try DNSName("a.example")
    let z = try DNSName("z.example")
    #expect(DNSSECDenial.covers(owner: a, next: z, name: try DNSName("b.example")))
    #expect(DNSSECDenial.covers(owner: a, next: z, name: try DNSName("x.a.example")))
    #expect(!DNSSECDenial.covers(owner: a, next: z, name: z))
    #expect(DNSSECDenial.covers(owner: z, next: apex, name: try DNSName("zz.example")))
    #expect(!DNSSECDenial.covers(owner: z, next: apex, name: a))
  }

  @Test("an NSEC denial needs the name and the wildcard covered")
  func nsecNameError() throws {
    let zone = try DNSName("example")
    func nsec(_ owner: String, _ next: String, _ types: [DNSRecordType]) throws -> DNSResourceRecord {
      DNSResourceRecord(
        name: try DNSName(owner), type: .nsec, ttl: 60,
        rdata: .nsec(NSECRecord(nextName: try DNSName(next), types: types)))
    }
    let apex = try nsec("example", "b.example", [.soa, .ns, .nsec, .rrsig])
    let b = try nsec("b.example", "example", [.a, .nsec, .rrsig])
    let full = DNSSECDenial(zone: zone, records: [apex, b])
    #expect(full.provesNameError(try DNSName("c.example")) == .nsec)
    #expect(full.provesNoData(try DNSName("b.example"), type: .aaaa) == .nsec)
    #expect(full.provesNoData(try DNSName("b.example"), type: .a) == nil)
    let withoutWildcard = DNSSECDenial(zone: zone, records: [b])
    #expect(withoutWildcard.provesNameError(try DNSName("c.example")) == nil)
  }

  @Test("civil dates match the calendar")
  func civilDate() {
    #expect(DNSCivilDate(secondsSinceEpoch: 0).dayText == "1970-01-01")
    #expect(DNSCivilDate(secondsSinceEpoch: 951_782_400).dayText == "2000-02-29")
    #expect(DNSRData.timestamp(1_797_724_800) == "20261220000000")
    #expect(DNSRData.timestamp(4_294_967_295) == "21060207062815")
  }
}
