import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite struct DNSMessageTests {
  static func header(
    questions: UInt16 = 1, answers: UInt16 = 0, authorities: UInt16 = 0, additionals: UInt16 = 0
  )
    -> [UInt8]
  {
    [0x12, 0x34, 0x81, 0x80]
      + [questions, answers, authorities, additionals].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
  }

  static let wwwExample: [UInt8] =
    [3] + Array("www".utf8) + [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]

  func record(_ name: String, _ type: DNSRecordType, _ rdata: DNSRData) throws -> DNSResourceRecord {
    DNSResourceRecord(name: try DNSName(name), type: type, ttl: 3600, rdata: rdata)
  }

  func everyType() throws -> [(DNSResourceRecord, String)] {
    let host = try DNSName("host.example.com")
    let key = try #require(
      DNSTextEncoding.base64Decode(
        "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw=="
      ))
    let soa = SOARecord(
      primaryServer: try DNSName("ns1.example.com"), responsible: try DNSName("hostmaster.example.com"),
      serial: 2_026_010_101, refresh: 7200, retry: 3600, expire: 1_209_600, minimum: 300)
    let signature = RRSIGRecord(
      typeCovered: .a, algorithm: 13, labels: 3, originalTTL: 3600, expiration: 1_797_724_800,
      inception: 1_795_132_800, keyTag: 12345, signerName: try DNSName("example.com"),
      signature: [1, 2, 3, 4, 5])
    return [
      (try record("example.com", .a, .a([192, 0, 2, 1])), "192.0.2.1"),
      (
        try record(
          "example.com", .aaaa, .aaaa([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])),
        "2001:db8::1"
      ),
      (try record("example.com", .aaaa, .aaaa([UInt8](repeating: 0, count: 16))), "::"),
      (try record("www.example.com", .cname, .cname(host)), "host.example.com."),
      (try record("example.com", .ns, .ns(try DNSName("ns1.example.com"))), "ns1.example.com."),
      (
        try record("example.com", .soa, .soa(soa)),
        "ns1.example.com. hostmaster.example.com. 2026010101 7200 3600 1209600 300"
      ),
      (try record("example.com", .mx, .mx(preference: 10, exchange: host)), "10 host.example.com."),
      (
        try record("example.com", .txt, .txt([Array("v=spf1 -all".utf8), Array("a\"b\\".utf8) + [7]])),
        "\"v=spf1 -all\" \"a\\\"b\\\\\\007\""
      ),
      (
        try record("_sip._udp.example.com", .srv, .srv(priority: 0, weight: 5, port: 5060, target: host)),
        "0 5 5060 host.example.com."
      ),
      (try record("1.2.0.192.in-addr.arpa", .ptr, .ptr(host)), "host.example.com."),
      (
        try record(
          "example.com", .caa, .caa(flags: 0, tag: Array("issue".utf8), value: Array("letsencrypt.org".utf8))),
        "0 issue \"letsencrypt.org\""
      ),
      (
        try record(
          "dskey.example.com", .ds,
          .ds(
            DSRecord(
              keyTag: 60485, algorithm: 5, digestType: 1,
              digest: [
                0x2B, 0xB1, 0x83, 0xAF, 0x5F, 0x22, 0x58, 0x81, 0x79, 0xA5, 0x3B, 0x0A, 0x98, 0x63, 0x1F,
                0xAD, 0x1A,
                0x29, 0x21, 0x18,
              ]))),
        "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"
      ),
      (
        try record(
          "dskey.example.com", .dnskey,
          .dnskey(DNSKEYRecord(flags: 256, protocol: 3, algorithm: 5, publicKey: key))),
        "256 3 5 " + DNSTextEncoding.base64(key)
      ),
      (
        try record("host.example.com", .rrsig, .rrsig(signature)),
        "A 13 3 3600 20261220000000 20261120000000 12345 example.com. AQIDBAU="
      ),
      (
        try record(
          "example.com", .nsec,
          .nsec(NSECRecord(nextName: host, types: [.a, .mx, .rrsig, .nsec, DNSRecordType(rawValue: 1234)]))),
        "host.example.com. A MX RRSIG NSEC TYPE1234"
      ),
      (
        try record(
          "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example", .nsec3,
          .nsec3(
            NSEC3Record(
              hashAlgorithm: 1, flags: 1, iterations: 12, salt: [0xAA, 0xBB, 0xCC, 0xDD],
              nextHashedOwner: try #require(
                DNSTextEncoding.base32HexDecode(Array("2t7b4g4vsa5smi47k61mv5bv1a22bojr".utf8))),
              types: [.a, .rrsig]))),
        "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG"
      ),
      (
        try record(
          "example.com", .nsec3param, .nsec3param(hashAlgorithm: 1, flags: 0, iterations: 0, salt: [])),
        "1 0 0 -"
      ),
      (
        try record(
          "_443._tcp.example.com", .tlsa,
          .tlsa(usage: 3, selector: 1, matchingType: 1, data: [0xAB, 0xCD, 0xEF])),
        "3 1 1 ABCDEF"
      ),
      (try record("example.com", DNSRecordType(rawValue: 65280), .unknown([1, 2, 3])), "\\# 3 010203"),
      (try record("example.com", DNSRecordType(rawValue: 65280), .unknown([])), "\\# 0"),
    ]
  }

  @Test("every record type survives encode and decode and prints like dig")
  func roundTrip() throws {
    let records = try everyType()
    var message = DNSMessage(id: 4242)
    message.isResponse = true
    message.isAuthoritative = true
    message.questions = [DNSQuestion(name: try DNSName("example.com"), type: .any)]
    message.answers = records.map(\.0)
    message.edns = DNSEDNS(udpPayloadSize: 4096, dnssecOK: true)
    let decoded = try DNSMessage(decoding: message.encode())
    #expect(decoded == message)
    #expect(decoded.answers.map(\.rdata.description) == records.map(\.1))
    #expect(decoded.edns?.dnssecOK == true)
    #expect(decoded.answers[0].description == "example.com.\t3600\tIN\tA\t192.0.2.1")
  }

  @Test("compressed names decode")
  func compression() throws {
    let bytes =
      Self.header(answers: 2) + Self.wwwExample + [0, 1, 0, 1]
      + [0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3] + Array("web".utf8) + [0xC0, 16]
      + [0xC0, 12 + 21 + 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7]
    let message = try DNSMessage(decoding: bytes)
    #expect(
      message.answers.map(\.description) == [
        "www.example.com.\t60\tIN\tCNAME\tweb.example.com.",
        "web.example.com.\t60\tIN\tA\t192.0.2.7",
      ])
  }

  @Test(
    "hostile input is a typed error",
    arguments: [
      (
        "header cut short", [0x12, 0x34, 0x81], DNSWireError(.truncated, at: 2, "wanted 2 more bytes, 1 left")
      ),
      (
        "absurd counts", header(questions: 65535, answers: 65535),
        DNSWireError(
          .countTooLarge, at: 4, "section counts 65535/65535/0/0 need at least 1048560 bytes, 0 left")
      ),
      (
        "pointer to itself", header() + [0xC0, 12, 0, 1, 0, 1],
        DNSWireError(.badPointer, at: 12, "compression pointer to byte 12 does not point backwards")
      ),
      (
        "forward pointer", header() + [0xC0, 14, 0, 1, 0, 1, 0],
        DNSWireError(.badPointer, at: 12, "compression pointer to byte 14 does not point backwards")
      ),
      (
        "pointer past the end", header() + [0xFF, 0xFF, 0, 1, 0, 1],
        DNSWireError(.badPointer, at: 12, "compression pointer to byte 16383 does not point backwards")
      ),
      (
        "two names pointing at each other",
        header(questions: 2) + [0xC0, 18, 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1],
        DNSWireError(.badPointer, at: 12, "compression pointer to byte 18 does not point backwards")
      ),
      (
        "label type 01", header() + [0x41, 0, 0, 1, 0, 1],
        DNSWireError(.badLabelType, at: 12, "unsupported label type 0x41")
      ),
      (
        "label past the end", header() + [63, 97, 97, 0, 0, 0],
        DNSWireError(.truncated, at: 12, "label of 63 bytes runs past the end of its data")
      ),
      (
        "name over 255 bytes",
        header() + (0..<5).flatMap { _ in [63] + [UInt8](repeating: 97, count: 63) } + [0, 0, 1, 0, 1],
        DNSWireError(.nameTooLong, at: 204, "name longer than 255 bytes")
      ),
      (
        "truncated RDATA", header(questions: 0, answers: 1) + [0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0],
        DNSWireError(.truncated, at: 23, "RDATA of 4 bytes runs past the end of the message")
      ),
      (
        "A record of 5 bytes",
        header(questions: 0, answers: 1) + [0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 192, 0, 2, 1, 9],
        DNSWireError(.badRData, at: 23, "A RDATA of 5 bytes, wanted 4")
      ),
      (
        "RDATA with bytes left over",
        header(questions: 0, answers: 1) + [0, 0, 15, 0, 1, 0, 0, 0, 60, 0, 4, 0, 10, 0, 9],
        DNSWireError(.badRData, at: 26, "MX RDATA has 1 bytes left over")
      ),
      (
        "name in RDATA runs past RDLENGTH",
        header(questions: 0, answers: 1) + [0, 0, 2, 0, 1, 0, 0, 0, 60, 0, 2, 3, 97, 98, 99, 0],
        DNSWireError(.truncated, at: 23, "label of 3 bytes runs past the end of its data")
      ),
      (
        "NSEC bitmap out of order",
        header(questions: 0, answers: 1) + [0, 0, 47, 0, 1, 0, 0, 0, 60, 0, 7, 0, 1, 1, 0x40, 0, 1, 0x40],
        DNSWireError(.badRData, at: 27, "type bitmap windows out of order")
      ),
    ] as [(String, [UInt8], DNSWireError)])
  func hostile(_ name: String, _ bytes: [UInt8], _ error: DNSWireError) {
    #expect(throws: error, "\(name)") {
      try DNSMessage(decoding: bytes)
    }
  }

  @Test("a query carries EDNS0 with the DO bit and buffer size")
  func query() throws {
    let query = DNSMessage.query(
      id: 7, name: try DNSName("example.com"), type: .dnskey,
      edns: DNSEDNS(udpPayloadSize: 1400, dnssecOK: true))
    let bytes = query.encode()
    #expect(Array(bytes.suffix(11)) == [0, 0, 41, 0x05, 0x78, 0, 0, 0x80, 0, 0, 0])
    #expect(try DNSMessage(decoding: bytes) == query)
  }
}
