import Synchronization
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite("DNS client against BIND", .enabled(if: DNSFixture.shouldRun), .serialized)
struct DNSClientTests {
  let fixture: DNSFixture
  let client = DNSClient()

  init() async throws {
    fixture = try await DNSFixture.ready()
  }

  /// The real TCP connector, counting how often it is used.
  final class CountingConnector: DNSStreamConnector {
    let count = Atomic<Int>(0)
    func exchange(_ framedQuery: [UInt8], server: String, port: UInt16, timeout: Duration) async throws
      -> [UInt8]
    {
      count.add(1, ordering: .relaxed)
      return try await DNSTCPConnector().exchange(framedQuery, server: server, port: port, timeout: timeout)
    }
  }

  @Test("A and AAAA over UDP to an IPv4 and an IPv6 server", arguments: ["127.0.0.1", "::1"])
  func udp(server: String) async throws {
    let name = try DNSName("www.alg13.infraspec.test")
    let a = try await client.query(name: name, type: .a, server: server, port: fixture.port)
    #expect(a.responseCode == .noError)
    #expect(a.isAuthoritative)
    #expect(a.answers.map(\.description) == ["www.alg13.infraspec.test.\t3600\tIN\tA\t192.0.2.1"])
    let aaaa = try await client.query(name: name, type: .aaaa, server: server, port: fixture.port)
    #expect(aaaa.answers.map(\.rdata.description) == ["2001:db8::1"])
  }

  @Test("the DO bit brings RRSIGs; without it there are none")
  func dnssecOK() async throws {
    let name = try DNSName("www.alg13.infraspec.test")
    let plain = try await client.query(name: name, type: .a, server: "127.0.0.1", port: fixture.port)
    #expect(plain.answers.map(\.type) == [.a])
    let signed = try await client.query(
      name: name, type: .a, server: "127.0.0.1", port: fixture.port, options: .init(dnssecOK: true))
    #expect(signed.answers.map(\.type) == [.a, .rrsig])
    #expect(signed.edns?.dnssecOK == true)
  }

  @Test("a truncated UDP answer is asked again over TCP")
  func truncationFallback() async throws {
    let counter = CountingConnector()
    let client = DNSClient(connector: counter)
    let name = try DNSName("big.alg13.infraspec.test")
    let response = try await client.query(
      name: name, type: .txt, server: "127.0.0.1", port: fixture.port, options: .init(udpPayloadSize: nil))
    #expect(!response.isTruncated)
    guard case .txt(let strings) = response.answers.first?.rdata else {
      Issue.record("no TXT answer: \(response)")
      return
    }
    #expect(strings.count == 8)
    #expect(counter.count.load(ordering: .relaxed) == 1)
    _ = try await client.query(name: name, type: .a, server: "127.0.0.1", port: fixture.port)
    #expect(counter.count.load(ordering: .relaxed) == 1)
  }

  @Test("TCP only never uses UDP")
  func tcpOnly() async throws {
    let counter = CountingConnector()
    let client = DNSClient(connector: counter)
    let response = try await client.query(
      name: try DNSName("alg13.infraspec.test"), type: .dnskey, server: "::1", port: fixture.port,
      options: .init(transport: .tcpOnly, dnssecOK: true))
    #expect(response.answers.contains { $0.type == .dnskey })
    #expect(counter.count.load(ordering: .relaxed) == 1)
  }

  @Test("NXDOMAIN is an answer, not an error")
  func nameError() async throws {
    let response = try await client.query(
      name: try DNSName("nothing.alg13.infraspec.test"), type: .a, server: "127.0.0.1", port: fixture.port)
    #expect(response.responseCode == .nameError)
    #expect(response.responseCode.description == "NXDOMAIN")
  }
}

@Suite struct DNSClientErrorTests {
  let client = DNSClient()
  let name = (try? DNSName("example.com")) ?? .root

  @Test("a server that never answers times out after every retry")
  func timeout() async throws {
    let silent = try DNSMisbehavingServer { _ in nil }
    defer { silent.stop() }
    let clock = ContinuousClock()
    let start = clock.now
    await #expect(
      throws: DNSClientError(
        code: .timedOut, server: "127.0.0.1", port: silent.port, detail: "timed out waiting for a UDP reply")
    ) {
      try await client.query(
        name: name, type: .a, server: "127.0.0.1", port: silent.port,
        options: .init(timeout: .milliseconds(100), retries: 2))
    }
    #expect(clock.now - start >= .milliseconds(300))
  }

  @Test("replies with the wrong ID are ignored")
  func wrongID() async throws {
    let server = try DNSMisbehavingServer { query in
      var reply = query
      reply[1] ^= 0xFF
      reply[2] |= 0x80
      return reply
    }
    defer { server.stop() }
    await #expect(
      throws: DNSClientError(
        code: .timedOut, server: "127.0.0.1", port: server.port, detail: "timed out waiting for a UDP reply")
    ) {
      try await client.query(
        name: name, type: .a, server: "127.0.0.1", port: server.port,
        options: .init(timeout: .milliseconds(100), retries: 0))
    }
  }

  @Test("a reply for another question is rejected")
  func wrongQuestion() async throws {
    let server = try DNSMisbehavingServer { query in
      guard var message = try? DNSMessage(decoding: query) else { return nil }
      message.isResponse = true
      message.questions[0].type = .mx
      return message.encode()
    }
    defer { server.stop() }
    await #expect(
      throws: DNSClientError(
        code: .mismatchedResponse, server: "127.0.0.1", port: server.port,
        detail: "reply is for question 'example.com. MX', asked 'example.com. A'")
    ) {
      try await client.query(name: name, type: .a, server: "127.0.0.1", port: server.port)
    }
  }

  @Test("garbage with the right ID is a malformed response")
  func garbage() async throws {
    let server = try DNSMisbehavingServer { query in
      Array(query[0..<2]) + [0x81, 0x80, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0]
    }
    defer { server.stop() }
    await #expect(
      throws: DNSClientError(
        code: .malformedResponse, server: "127.0.0.1", port: server.port,
        detail: "malformed DNS data at byte 4: section counts 65535/0/0/0 need at least 327675 bytes, 0 left")
    ) {
      try await client.query(name: name, type: .a, server: "127.0.0.1", port: server.port)
    }
  }

  @Test("a host name instead of an address is explained")
  func badAddress() async throws {
    await #expect(
      throws: DNSClientError(
        code: .badServerAddress, server: "ns1.example.com", port: 53,
        detail: "'ns1.example.com' is not an IPv4 or IPv6 address (give the server as an address, not a name)"
      )
    ) {
      try await client.query(name: name, type: .a, server: "ns1.example.com")
    }
  }
}
