import Foundation
import Testing

/// Each host's OS detection is remembered, so a later run logs in once (detection and probes in
/// one batch); a memory that no longer holds costs a second login, never a wrong verdict.
@Suite("profile memory: one login per host run")
struct ProfileMemoryTests {
  static let spec = """
    import InfraSpec

    describe("debian host") {
      File("/etc/passwd").isFile()
      Package("bash").isInstalled()
      User("root").exists()
    }
    """

  /// `Starting session: command …` lines in sshd's VERBOSE log: one per exec channel (a login).
  static func sessions(_ server: SSHServerFixture) -> Int {
    let log = (try? String(contentsOfFile: server.logFile, encoding: .utf8)) ?? ""
    return log.components(separatedBy: "Starting session: command").count - 1
  }

  @Test("the second run logs in once with the same verdicts; a stale memory is corrected, verdicts unchanged")
  func oneLogin() async throws {
    var configuration = SSHServerFixture.Configuration()
    configuration.logsConnections = true
    configuration.logLevel = "VERBOSE"
    let server = try await SSHServerFixture.start(configuration)
    defer { server.stop() }
    let root = try CLI.workspace(["host.swift": Self.spec])
    let cache = NSTemporaryDirectory() + "isp-profile-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: cache) }
    // The compiled spec comes from the shared cache; only the memory is this test's own.
    let flags = [
      "run", "--format", "tap", "--host", server.target, "--known-hosts", server.knownHostsFile, "-i",
      server.clientKey("ed25519"),
    ]
    func run() throws -> CLI.Result {
      try CLI.run(flags, in: root, environment: ["XDG_CACHE_HOME": cache])
    }
    let first = try run()
    #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
    #expect(Self.sessions(server) == 2, "detection, then the batch")
    let second = try run()
    #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
    #expect(Self.sessions(server) == 3, "one login: the detection rode in the batch")
    #expect(FleetLabTests.testLines(second.stdout) == FleetLabTests.testLines(first.stdout))

    // A memory that says Alpine (the host was "reinstalled", or the file was tampered with): the
    // checks are still planned for Debian (dpkg, not apk) and pass; the memory is corrected.
    let folder = cache + "/infraspec/profiles"
    let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
      $0.hasPrefix("profile-")
    }
    #expect(files.count == 1, "\(files)")
    let file = folder + "/" + (files.first ?? "")
    let real = try String(contentsOfFile: file, encoding: .utf8)
    let alpine = #"{"osRelease":"ID=alpine\nVERSION_ID=3.20.0\n","initComm":"init\n"}"#
    try alpine.write(toFile: file, atomically: true, encoding: .utf8)
    let third = try run()
    #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
    #expect(FleetLabTests.testLines(third.stdout) == FleetLabTests.testLines(first.stdout), "\(third.stdout)")
    #expect(Self.sessions(server) == 6, "the stale batch was dropped, the host detected anew, then checked")
    // The same detection as the first run's (compared as JSON values, whatever the key order).
    func parsed(_ text: String) throws -> NSDictionary? {
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
    }
    #expect(try parsed(String(contentsOfFile: file, encoding: .utf8)) == parsed(real))
    #expect(try parsed(real)?["osRelease"] as? String != nil)
    let attributes = try FileManager.default.attributesOfItem(atPath: file)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
  }
}
