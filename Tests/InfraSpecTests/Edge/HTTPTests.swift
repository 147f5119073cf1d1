import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

/// HTTP checks against the nginx fixture over HTTPS and plain HTTP, and against hostile servers.
@Suite("HTTP against nginx", .serialized, .enabled(if: EdgeFixture.shouldRun))
struct HTTPTests {
  @Test("the issue's lines: status, Cache-Control directives, body, headers, sha256, time budget, ALPN")
  func page() async throws {
    let fixture = try await EdgeFixture.ready()
    let url = "https://www.pop.test:\(fixture.tlsPort)/"
    let checks = HTTP(url, via: "127.0.0.1").status(200).header("Cache-Control", contains: "stale-if-error")
      .body(contains: "hello").header("X-PoP", equals: "lab").header("Server", matches: "^nginx/")
      .lacksHeader("X-Debug")
      .cacheControl("public").cacheControl("stale-if-error", atLeast: .days(1))
      .cacheControl("stale-while-revalidate", atMost: .seconds(60)).maxAge(atMost: .seconds(600))
      .body(sha256: "9cc041c1fdc5e40c389dcbb811bf74d8d3a26b1afc48051de07752b0c821a3af")
      .responseTime(atMost: .seconds(20)).alpn("h2").age(atMost: .seconds(10))
    let messages = await EdgeFixture.messages(checks.__chain.checks)
    #expect(messages.allSatisfy { $0.hasPrefix("passed: ") }, "\(messages)")
    #expect(messages.count == 14)
  }

  @Test("failures in the one grammar: status, redirect target, expiry of a sale page, max age source")
  func failures() async throws {
    let fixture = try await EdgeFixture.ready()
    let port = fixture.tlsPort
    let base = "https://www.pop.test:\(port)"
    let checks =
      HTTP(base + "/old", via: "127.0.0.1").redirects(to: base + "/new").redirects(to: base + "/other")
      .status(200)
      .__chain.checks
      + HTTP(base + "/sale", via: "127.0.0.1").expires(after: .seconds(3000)).expires(before: .seconds(600))
      .maxAge(atMost: .seconds(600)).lastModified(within: .days(1)).__chain.checks
      + HTTP(base + "/", via: "127.0.0.1").cacheControl("no-store").header("X-Missing", contains: "x").__chain
      .checks
    let messages = await EdgeFixture.messages(checks)
    let subject = "http \(base)"
    #expect(messages[0] == "passed: \(subject)/old: redirects to \(base)/new")
    #expect(messages[1] == "\(subject)/old: redirect: expected \(base)/other, got \(base)/new")
    #expect(messages[2] == "\(subject)/old: status: expected 200, got 301")
    #expect(messages[3] == "passed: \(subject)/sale: expires at least 3000s after Date")
    #expect(
      messages[4].hasPrefix("\(subject)/sale: expires: expected at most 600s after Date, got 3600s ("),
      "\(messages[4])")
    #expect(messages[5] == "\(subject)/sale: max age: expected at most 600s, got 3600s (max-age)")
    #expect(
      messages[6].hasPrefix(
        "\(subject)/sale: last-modified: expected within 86400s of Date, got 10 days before ("),
      "\(messages[6])")
    #expect(
      messages[7]
        == "\(subject)/: cache-control: expected to include no-store, got \"public, max-age=60, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400\""
    )
    #expect(messages[8] == "\(subject)/: header X-Missing: expected to contain \"x\", got absent")
  }

  @Test("plain http:// with the name kept in Host while the socket goes to via")
  func plainHTTP() async throws {
    let fixture = try await EdgeFixture.ready()
    let url = "http://www.pop.test:\(fixture.port("HTTP_PORT"))/"
    let messages = await EdgeFixture.messages(
      HTTP(url, via: "127.0.0.1").status(200).header("X-PoP", equals: "lab").body(contains: "hello").alpn(
        "h2"
      )
      .__chain.checks)
    #expect(messages.prefix(3).allSatisfy { $0.hasPrefix("passed: ") }, "\(messages)")
    #expect(messages[3] == "http \(url): alpn: could not check: ALPN needs an https:// URL")
  }

  @Test("a 1 GiB body is read only up to the bound: sha256 cannot be checked, status passes, quickly")
  func hugeBody() async throws {
    let fixture = try await EdgeFixture.ready()
    let url = "https://www.pop.test:\(fixture.tlsPort)/huge"
    let started = ContinuousClock.now
    let messages = await EdgeFixture.messages(
      HTTP(url, via: "127.0.0.1", timeout: .seconds(50)).status(200).body(sha256: "00").body(
        contains: "never"
      ).__chain.checks)
    // The messages prove the bound; the time only proves no wait for the whole GiB, which loopback
    // TLS could stream in seconds anyway, so it is generous for a busy CI machine. So is the
    // exchange's own timeout: a debug build reading 8 MiB through TLS beside the BIND and lab
    // suites has taken more than the default 10 s.
    #expect(ContinuousClock.now - started < .seconds(60))
    #expect(
      messages == [
        "passed: http \(url): status 200",
        "http \(url): body sha256: could not check: the body is longer than 8 MiB; it was not read whole",
        "http \(url): body: could not check: the body is longer than 8 MiB; only that much was read",
      ])
  }

  @Test(
    "hostile inputs are could-not-check: CRLF in the URL, control bytes in a header, 10 MB of headers, a stall"
  )
  func hostile() async throws {
    let fixture = try await EdgeFixture.ready()
    let (flood, control, stall) = (
      fixture.port("FLOOD_PORT"), fixture.port("CONTROL_PORT"), fixture.port("STALL_PORT")
    )
    let started = ContinuousClock.now
    let messages = await EdgeFixture.messages(
      HTTP("http://127.0.0.1:\(fixture.port("HTTP_PORT"))/\r\nX-Injected: 1").status(200).__chain.checks
        + HTTP("http://127.0.0.1:\(control)/").status(200).__chain.checks
        + HTTP("http://127.0.0.1:\(flood)/").status(200).__chain.checks
        + HTTP("https://127.0.0.1:\(stall)/", timeout: .seconds(1)).status(200).__chain.checks
        + HTTP("http://127.0.0.1:\(stall)/", timeout: .seconds(1)).status(200).__chain.checks)
    // The messages prove the bound; the time only proves no wait for the whole GiB, which loopback
    // TLS could stream in seconds anyway, so it is generous for a busy CI machine.
    #expect(ContinuousClock.now - started < .seconds(60))
    #expect(
      messages == [
        "http http://127.0.0.1:\(fixture.port("HTTP_PORT"))/\\u{d}\\nX-Injected: 1: status: could not check: the URL \"http://127.0.0.1:\(fixture.port("HTTP_PORT"))/\\u{d}\\nX-Injected: 1\" holds a control character or space (U+D); percent-encode it",
        "http http://127.0.0.1:\(control)/: status: could not check: http://127.0.0.1:\(control)/: the response header X-Evil holds a control byte (0x01): \" a\\u{1}b\u{7f}\"",
        "http http://127.0.0.1:\(flood)/: status: could not check: http://127.0.0.1:\(flood)/: the response headers exceed 64 KiB; stopped reading",
        "http https://127.0.0.1:\(stall)/: status: could not check: https://127.0.0.1:\(stall)/: timed out waiting for TCP 127.0.0.1:\(stall) in the TLS handshake with 127.0.0.1",
        "http http://127.0.0.1:\(stall)/: status: could not check: http://127.0.0.1:\(stall)/: timed out waiting for TCP 127.0.0.1:\(stall)",
      ])
  }

  @Test("with the origin gone, the cache serves stale (proxy_cache_use_stale) and the check sees it")
  func staleWhenOriginDown() async throws {
    let fixture = try await EdgeFixture.ready()
    let url = "https://www.pop.test:\(fixture.tlsPort)/cached"
    let fresh = await EdgeFixture.messages(
      HTTP(url, via: "127.0.0.1").status(200).header("X-Cache-Status", matches: "MISS|EXPIRED|HIT").__chain
        .checks)
    #expect(fresh.allSatisfy { $0.hasPrefix("passed: ") }, "\(fresh)")
    fixture.stopOrigin()
    try await Task.sleep(for: .milliseconds(1500))
    let stale = await EdgeFixture.messages(
      HTTP(url, via: "127.0.0.1").status(200).header("X-Cache-Status", equals: "STALE").body(
        contains: "origin content"
      )
      .__chain.checks)
    #expect(stale.allSatisfy { $0.hasPrefix("passed: ") }, "\(stale)")
  }
}
