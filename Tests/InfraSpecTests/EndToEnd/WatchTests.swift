import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `infraspec run --watch` in a real terminal (a tmux pane) against a real sshd on loopback.
@Suite("infraspec run --watch", .serialized)
struct WatchTests {
  /// A tmux server of its own (private socket, no config); the pane stays after its command ends,
  /// so its exit status can be read.
  final class Terminal {
    let socket: String

    init(directory: URL) throws {
      guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
        throw SetupError("tmux is missing: apt-get install tmux (scripts/test.sh installs it)")
      }
      socket = directory.appendingPathComponent("tmux.sock").path
    }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
      try Shell.must(["/usr/bin/tmux", "-u", "-S", socket, "-f", "/dev/null"] + arguments)
    }

    func start(_ command: String) throws {
      try tmux(["new-session", "-d", "-x", "250", "-y", "50", "-s", "watch", command])
      try tmux(["set-option", "-g", "remain-on-exit", "on"])
    }

    var screen: String { (try? tmux(["capture-pane", "-p", "-t", "watch"])) ?? "" }

    /// `pane_dead pane_dead_status pane_pid`.
    var pane: (dead: Bool, status: String, pid: Int32) {
      let fields =
        ((try? tmux(["display-message", "-p", "-t", "watch", "#{pane_dead} #{pane_dead_status} #{pane_pid}"]))
        ?? "").split(separator: " ", omittingEmptySubsequences: false).map {
          $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
      guard fields.count == 3 else { return (false, "", 0) }
      return (fields[0] == "1", fields[1], Int32(fields[2]) ?? 0)
    }

    /// The screen once `ready` holds for it; fails with the screen after `seconds`.
    func wait(
      _ what: String, seconds: Double = 60, until ready: (String) -> Bool
    ) async throws -> String {
      let deadline = Date().addingTimeInterval(seconds)
      while Date() < deadline {
        let text = screen
        if ready(text) { return text }
        try await Task.sleep(for: .milliseconds(100))
      }
      throw SetupError("waited \(seconds) s for \(what); the screen:\n\(screen)")
    }

    func stop() { _ = try? tmux(["kill-server"]) }
  }

  static func connections(_ server: SSHServerFixture) -> Int {
    let log = (try? String(contentsOfFile: server.logFile, encoding: .utf8)) ?? ""
    return log.components(separatedBy: "Accepted publickey").count - 1
  }

  /// The round number in the footer (`last round 14:03:27 (round 7, …`), 0 before the first.
  static func round(_ screen: String) -> Int {
    guard let match = screen.firstMatch(of: #/\(round (\d+),/#) else { return 0 }
    return Int(match.1) ?? 0
  }

  /// The TDD loop both watch tests show: red for several rounds on the one connection the first
  /// round opened (`red` checks that screen further), then the host converges and the next
  /// interval rounds are green on that same connection. Returns the last green screen.
  static func redThenGreen(
    _ terminal: Terminal, server: SSHServerFixture, marker: String, seconds: Double,
    red: (String) -> Void
  ) async throws -> String {
    var screen = try await terminal.wait("✗ and round 3", seconds: seconds) {
      $0.contains("✗ file \(marker): exists") && Self.round($0) >= 3
    }
    #expect(screen.contains("expected to exist, got no such file"), "\(screen)")
    red(screen)
    #expect(!screen.contains("round 1 ──"), "a terminal is redrawn, not appended: \(screen)")
    #expect(Self.connections(server) == 1, "rounds reuse the connection")
    FileManager.default.createFile(atPath: marker, contents: Data())
    screen = try await terminal.wait("✓") { $0.contains("✓ file \(marker): exists") }
    #expect(!screen.contains("✗"), "\(screen)")
    let round = Self.round(screen)
    screen = try await terminal.wait("two more rounds") { Self.round($0) >= round + 2 }
    #expect(Self.connections(server) == 1, "interval rounds open no new connection")
    return screen
  }

  static func alive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
  }

  @Test(
    "red, then green as the host converges, one SSH connection across rounds; a spec edit recompiles and reconnects; a compile error waits in place; Ctrl-C ends with 130 and nothing left"
  )
  func redToGreenInTmux() async throws {
    let server = try await SSHServerFixture.start(.init(logsConnections: true))
    defer { server.stop() }
    let marker = NSTemporaryDirectory() + "infraspec-watch-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: marker) }
    let spec = """
      import InfraSpec

      describe("watched") {
        File("\(marker)").exists()
      }

      """
    let root = try CLI.workspace(["watch.swift": spec])
    let file = root.appendingPathComponent("Specs/watch.swift")
    let terminal = try Terminal(directory: root)
    defer { terminal.stop() }
    try terminal.start(
      "cd '\(root.path)' && env LANG=C.UTF-8 XDG_CACHE_HOME='\(CLI.cacheDirectory)' '\(CLI.infraspec)' "
        + "run --watch --every 1s --host \(server.target) --known-hosts '\(server.knownHostsFile)' "
        + "-i '\(server.clientKey("ed25519"))'; echo \"[exit $?]\"")

    var screen = try await Self.redThenGreen(terminal, server: server, marker: marker, seconds: 180) {
      #expect($0.contains("last round "), "\($0)")
    }

    // Editing the spec recompiles and restarts the spec binary, which connects again.
    try (spec + "describe(\"more\") {\n  File(\"/etc/passwd\").isFile()\n}\n").write(
      to: file, atomically: true, encoding: .utf8)
    screen = try await terminal.wait("the edited spec", seconds: 180) {
      $0.contains("✓ file /etc/passwd: is a regular file")
    }
    #expect(Self.connections(server) == 2, "the new spec binary has its own connection")

    // A compile error is shown in place; the loop waits for the fix.
    try (spec + "describe(\"more\") {\n  File(\"/etc/passwd\").isFile(\n}\n").write(
      to: file, atomically: true, encoding: .utf8)
    screen = try await terminal.wait("the compile error", seconds: 180) {
      $0.contains("does not compile") && $0.contains("Specs/watch.swift:")
    }
    #expect(screen.contains("error:"), "\(screen)")
    #expect(!terminal.pane.dead)
    try (spec + "describe(\"more\") {\n  File(\"/etc/group\").isFile()\n}\n").write(
      to: file, atomically: true, encoding: .utf8)
    screen = try await terminal.wait("the fixed spec", seconds: 180) {
      $0.contains("✓ file /etc/group: is a regular file")
    }

    // Ctrl-C: the watch and its spec binary end, 130, and the SSH session with them. The pane's
    // shell prints the status: tmux, run from the test process, at times marks a pane dead
    // without ever recording its process's exit status.
    let processes = SSHServerFixture.descendants(of: terminal.pane.pid)
    #expect(processes.count >= 2, "infraspec and its spec binary")
    try terminal.tmux(["send-keys", "-t", "watch", "C-c"])
    screen = try await terminal.wait("the exit status", seconds: 30) { $0.contains("[exit ") }
    #expect(screen.contains("[exit 130]"), "\(screen)")
    for pid in processes { #expect(!Self.alive(pid), "pid \(pid) still runs") }
    let sessions = Date().addingTimeInterval(5)
    while !server.sessionProcesses.isEmpty && Date() < sessions {
      try await Task.sleep(for: .milliseconds(100))
    }
    #expect(server.sessionProcesses.isEmpty, "the SSH connection was closed")
  }

  @Test(
    "a binary made by infraspec build watches too: red, then green as the host converges, on one connection; Ctrl-C ends with 130"
  )
  func builtBinaryInTmux() async throws {
    let server = try await SSHServerFixture.start(.init(logsConnections: true))
    defer { server.stop() }
    let marker = NSTemporaryDirectory() + "infraspec-watch-built-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: marker) }
    let root = try CLI.workspace([
      "built.swift": """
      import InfraSpec

      describe("watched") {
        File("\(marker)").exists()
      }

      """
    ])
    let binary = root.appendingPathComponent("checks").path
    let build = try CLI.run(["build", "-o", binary], in: root)
    try #require(build.status == 0, "\(build.stdout)\(build.stderr)")
    let terminal = try Terminal(directory: root)
    defer { terminal.stop() }
    // The shell prints the exit status: tmux, run from the test process, at times marks a pane
    // dead without ever recording the status of its process.
    try terminal.start(
      "cd '\(root.path)' && env LANG=C.UTF-8 '\(binary)' --watch --every 1s --host \(server.target) "
        + "--known-hosts '\(server.knownHostsFile)' -i '\(server.clientKey("ed25519"))'; echo \"[exit $?]\"")

    var screen = try await Self.redThenGreen(terminal, server: server, marker: marker, seconds: 120) {
      #expect($0.contains("next in 1 s (the specs are built in); Ctrl-C stops"), "\($0)")
    }

    let processes = SSHServerFixture.descendants(of: terminal.pane.pid)
    #expect(!processes.isEmpty, "the built binary runs under the pane's shell")
    try terminal.tmux(["send-keys", "-t", "watch", "C-c"])
    screen = try await terminal.wait("the exit status", seconds: 30) { $0.contains("[exit ") }
    #expect(screen.contains("[exit 130]"), "\(screen)")
    for pid in processes { #expect(!Self.alive(pid), "pid \(pid) still runs") }
    let sessions = Date().addingTimeInterval(5)
    while !server.sessionProcesses.isEmpty && Date() < sessions {
      try await Task.sleep(for: .milliseconds(100))
    }
    #expect(server.sessionProcesses.isEmpty, "the SSH connection was closed")

    // Its own help says what its watch does; --every alone is a usage error.
    let help = try Shell.run([binary, "--help"], in: root)
    let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(words.contains("an edited spec needs `infraspec build` again"), "\(help.stdout)")
    let alone = try Shell.run([binary, "--every", "5s"], in: root)
    #expect(alone.status == 64 && alone.stderr.contains("--every needs --watch"), "\(alone.stderr)")
  }

  @Test("not a terminal: rounds are appended with their time, never redrawn; SIGINT ends with 130")
  func appendsWhenPiped() async throws {
    let root = try CLI.workspace([
      "local.swift": """
      import InfraSpec

      describe("local") {
        File("/etc/passwd").isFile()
      }
      """
    ])
    let output = root.appendingPathComponent("watch.out").path
    var environment = ProcessInfo.processInfo.environment
    environment["XDG_CACHE_HOME"] = CLI.cacheDirectory
    let pid = try SSHServerFixture.spawn(
      CLI.infraspec,
      ["run", root.appendingPathComponent("Specs").path, "--watch", "--every", "200ms", "--format", "human"],
      environment: environment, output: output)
    let deadline = Date().addingTimeInterval(180)
    var text = ""
    while Date() < deadline {
      text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
      if text.contains("── round 3,") { break }
      try await Task.sleep(for: .milliseconds(100))
    }
    kill(pid, SIGINT)
    // Bounded: a lost SIGINT (libdispatch's signal sources dropped one now and then) must fail
    // this test, not hang the suite.
    var status: Int32 = 0
    let stopBy = Date().addingTimeInterval(30)
    while waitpid(pid, &status, WNOHANG) == 0 {
      if Date() > stopBy {
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        Issue.record("SIGINT did not stop the watch within 30 s")
        break
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    #expect(
      text.contains("── round 1,") && text.contains("── round 2,") && text.contains("── round 3,"), "\(text)")
    #expect(text.components(separatedBy: "✓ file /etc/passwd: is a regular file").count >= 4, "\(text)")
    #expect(text.contains("last round "), "\(text)")
    #expect(!text.contains("\u{1B}"), "no escape sequences into a pipe or file")
    #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 130, "wait status \(status)")
  }

  @Test("--every needs --watch and a sensible interval: usage errors, 64")
  func everyValidation() throws {
    let root = try CLI.workspace(["local.swift": "import InfraSpec\n"])
    let alone = try CLI.run(["run", "--every", "5s"], in: root)
    #expect(alone.status == 64, "\(alone.stderr)")
    #expect(alone.stderr.contains("--every needs --watch"), "\(alone.stderr)")
    for bad in ["0s", "-1s", "fast", "2d"] {
      let result = try CLI.run(["run", "--watch", "--every", bad], in: root)
      #expect(result.status == 64, "\(bad): \(result.stderr)")
    }
  }
}
