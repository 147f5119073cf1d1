import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite struct DNSNameTests {
  @Test("names compare case-insensitively and print with a trailing dot")
  func caseInsensitive() throws {
    let mixed = try DNSName("WWW.Example.COM")
    #expect(mixed == (try DNSName("www.example.com.")))
    #expect(mixed.description == "WWW.Example.COM.")
    #expect(mixed.text == "WWW.Example.COM")
    #expect(Set([mixed, try DNSName("www.example.com")]).count == 1)
    #expect(DNSName.root.description == ".")
  }

  @Test("canonical wire form is lowercase and uncompressed")
  func canonicalWire() throws {
    #expect(try DNSName("A.b").canonicalWire == [1, 97, 1, 98, 0])
  }

  @Test("canonical order is RFC 4034 section 6.1's example")
  func canonicalOrder() throws {
    let ordered = try [
      "example", "a.example", "yljkjljk.a.example", "Z.a.example", "zABC.a.EXAMPLE", "z.example",
      "\\001.z.example",
      "*.z.example", "\\200.z.example",
    ].map { try DNSName($0) }
    #expect(ordered.shuffled().sorted() == ordered)
  }

  @Test("escapes parse and print like dig")
  func escapes() throws {
    let name = try DNSName("a\\.b.\\200x.example")
    #expect(name.labels.count == 3)
    #expect(name.labels[0] == Array("a.b".utf8))
    #expect(name.description == "a\\.b.\\200x.example.")
  }

  @Test("labels over 63 bytes and names over 255 bytes are rejected")
  func limits() throws {
    #expect(throws: DNSWireError(.labelTooLong, at: 0, "label of 64 bytes, at most 63 allowed")) {
      try DNSName(String(repeating: "a", count: 64) + ".example")
    }
    let label = String(repeating: "a", count: 63)
    #expect(throws: DNSWireError(.nameTooLong, at: 0, "name of 257 bytes, at most 255 allowed")) {
      try DNSName([label, label, label, label].joined(separator: "."))
    }
    #expect(throws: DNSWireError(.emptyLabel, at: 2, "name 'a..b' has an empty label")) {
      try DNSName("a..b")
    }
  }

  @Test("wildcards count labels as RRSIG does")
  func wildcard() throws {
    let name = try DNSName("*.example.com")
    #expect(name.isWildcard)
    #expect(name.signatureLabelCount == 2)
    #expect((try DNSName("www.example.com")).isSubdomain(of: try DNSName("EXAMPLE.com")))
  }
}
