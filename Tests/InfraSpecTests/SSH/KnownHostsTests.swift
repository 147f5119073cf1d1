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

#if canImport(Glibc)
  import Glibc
#endif

@Suite("known_hosts parsing")
struct KnownHostsTests {
  private let key: [UInt8] = Array("\0\0\0\u{0B}ssh-ed25519\0\0\0\u{20}abcdefghijklmnopqrstuvwxyz012345".utf8)
  private var base64: String { Data(key).base64EncodedString() }

  @Test("plain, wildcard, [host]:port and hashed entries match; others do not")
  func matching() throws {
    let directory = try SSHServerFixture.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try "[127.0.0.1]:2222 ssh-ed25519 \(base64)\n".write(
      toFile: directory + "/kh", atomically: true, encoding: .utf8)
    try SSHServerFixture.run("/usr/bin/ssh-keygen", ["-q", "-H", "-f", directory + "/kh"])
    let hashed = try String(contentsOfFile: directory + "/kh", encoding: .utf8).split(separator: " ")[0]
    #expect(hashed.hasPrefix("|1|"))
    let file = KnownHosts(
      text: """
        lax1,lax2 ssh-ed25519 \(base64)
        *.pop.example.net ssh-ed25519 \(base64)
        [10.0.0.1]:2222 ssh-ed25519 \(base64)
        \(hashed) ssh-ed25519 \(base64)
        """, name: "kh")
    #expect(file.entries(matching: "lax2").count == 1)
    #expect(file.entries(matching: "edge.pop.example.net").count == 1)
    #expect(file.entries(matching: "[10.0.0.1]:2222").count == 1)
    #expect(file.entries(matching: "10.0.0.1").isEmpty)
    #expect(file.entries(matching: "[127.0.0.1]:2222").map(\.location) == ["kh:4"])
  }

  @Test("verdicts: trusted, changed, revoked, unknown; preference follows known types")
  func verdicts() {
    let other = key.map { $0 == UInt8(ascii: "a") ? UInt8(ascii: "b") : $0 }
    let file = KnownHosts(
      text:
        "lax1 ssh-ed25519 \(base64)\nlax2 ssh-ed25519 \(Data(other).base64EncodedString())\n@revoked lax3 ssh-ed25519 \(base64)\n@bogus lax4 x y\n",
      name: "kh")
    #expect(file.verify(name: "lax1", keyType: "ssh-ed25519", key: key) == .trusted)
    #expect(file.verify(name: "lax2", keyType: "ssh-ed25519", key: key) == .changed(file.entries[1]))
    #expect(file.verify(name: "lax3", keyType: "ssh-ed25519", key: key) == .revoked(file.entries[2]))
    #expect(file.verify(name: "lax5", keyType: "ssh-ed25519", key: key) == .unknown)
    #expect(file.issues == ["kh:4: unknown marker @bogus; line ignored"])
    #expect(file.preferredKeyTypes(for: "lax1") == ["ssh-ed25519"])
    #expect(file.preferredKeyTypes(for: "lax5") == KnownHosts.supportedKeyTypes)
  }

  @Test("new keys are appended to a known_hosts that has entries, 16 at once, other lines untouched")
  func appendConcurrently() async throws {
    let directory = NSTemporaryDirectory() + "infraspec-known-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/ssh/known_hosts"
    // An existing file whose last line has no newline.
    try FileManager.default.createDirectory(atPath: directory + "/ssh", withIntermediateDirectories: true)
    let existing = "# kept\n|1|c2FsdA==|aGFzaA== ssh-ed25519 \(base64)"
    try existing.write(toFile: path, atomically: true, encoding: .utf8)
    let lines = (0..<16).map {
      KnownHosts.line(name: "[pop\($0).example.net]:22\($0)", keyType: "ssh-ed25519", key: key)
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for line in lines { group.addTask { try KnownHosts.append(line, to: path) } }
      try await group.waitForAll()
    }
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.hasPrefix(existing + "\n"))
    #expect(text.hasSuffix("\n"))
    let written = text.split(separator: "\n").dropFirst(2).map(String.init)
    #expect(Set(written) == Set(lines))
    #expect(written.count == 16)
    #expect(KnownHosts(paths: [path]).entries.count == 17)
  }

  @Test("name resolution obeys the connect timeout even when the resolver never answers")
  func resolutionTimeout() {
    let start = ContinuousClock.now
    #expect(throws: TCPDialler.Failure.resolveTimedOut) {
      _ = try TCPDialler.dial(host: "pop.example.net", port: 22, deadline: .now + .milliseconds(300)) {
        _, _ in
        Thread.sleep(forTimeInterval: 5)
        return (EAI_AGAIN, nil)
      }
    }
    #expect(ContinuousClock.now - start < .seconds(1))
    #expect(
      SSHConnection.dialError(
        .resolveTimedOut, host: "pop.example.net", port: 22, timeout: .milliseconds(300))
        == .connection("cannot resolve pop.example.net: no answer within 300ms"))
  }
}
