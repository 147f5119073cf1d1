import Foundation
import Testing

/// Fleet runs against the lab (`lab/up.sh`): network namespaces with their own sshd, MAC and
/// `/etc/pop`, one with a duplicated MAC and one sharing another's secret.
@Suite("fleet runs against the lab", .serialized)
struct FleetLabTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let state = repository.appendingPathComponent("lab/state").path

  static let spec = """
    import InfraSpec

    describe("PoP baseline", hosts: "pops") {
      Interface("eth0").isUp()
      File("/etc/pop/service.key").isFile().mode(0o600).owner("root")
      Port(22).isListening()
      Fleet(Interface("eth0").macAddress).isUniquePerHost()
      Fleet(File("/etc/pop/service.key").sha256Digest).isUniquePerHost()
      Fleet(Package("openssh-server").installedVersion).isSameOnEveryHost()
    }
    """

  static func lab(_ arguments: String...) throws {
    let result = try Shell.run(["bash"] + arguments, in: repository)
    guard result.status == 0 else {
      throw SetupError("\(arguments.joined(separator: " ")): \(result.stderr)")
    }
  }

  static func run(_ extra: [String], in root: URL) throws -> CLI.Result {
    try CLI.run(
      [
        "run", "--inventory", state + "/inventory.ini", "--known-hosts", state + "/known_hosts",
        "--connect-timeout", "3",
      ]
        + extra, in: root)
  }

  @Test("a duplicated MAC and a shared secret fail, hosts named; reports validate; shards merge")
  func faults() throws {
    try Self.lab("lab/up.sh", "--duplicate-mac", "--shared-secret", "4")
    defer { _ = try? Self.lab("lab/down.sh") }
    let root = try CLI.workspace(["pop.swift": Self.spec])
    let junit = root.appendingPathComponent("out/junit.xml").path
    let json = root.appendingPathComponent("out/run.json").path
    let result = try Self.run(["--report", "junit-strict=\(junit)", "--report", "json=\(json)"], in: root)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(
      result.stdout.contains(
        "message: \"interface eth0 mac: is unique per host: expected a different value on every host, got 02:00:00:00:00:01 on lax1, fra1\""
      ), "\(result.stdout)")
    #expect(
      result.stdout.contains(
        #/file /etc/pop/service.key sha256: is unique per host: expected a different value on every host, got [0-9a-f]{64} on lax1, fra1/#
      ))
    #expect(
      result.stdout.contains(
        "ok 7 - PoP baseline › package openssh-server version: is the same on every host\n"))
    for host in ["lax1", "fra1", "nrt1", "ams1"] { #expect(result.stdout.contains("# Subtest: \(host)\n")) }
    let prove = try Prove.check(result.stdout)
    #expect(!prove.output.contains("Parse errors") && prove.output.contains("Tests=7"), "\(prove.output)")
    let verdicts = try JUnitSchemas.validate(try String(contentsOfFile: junit, encoding: .utf8))
    #expect(verdicts.values.allSatisfy { $0 == "validates" }, "\(verdicts)")

    // The JSON report replays into the same TAP.
    let merged = try CLI.run(["report", "merge", json, "--format", "tap"], in: root)
    #expect(merged.status == 1)
    // Live subtests come in the order hosts finished; a replay in inventory order.
    #expect(
      Self.testLines(merged.stdout).sorted() == Self.testLines(result.stdout).sorted(), "\(merged.stdout)")

    // Shards of a CI matrix cover every host once and merge into one report.
    var shards: [String] = []
    for index in 1...2 {
      let path = root.appendingPathComponent("out/shard\(index).json").path
      _ = try Self.run(["--shard", "\(index)/2", "--report", "json=\(path)"], in: root)
      shards.append(path)
    }
    let joined = try CLI.run(["report", "merge"] + shards + ["--format", "tap"], in: root)
    for host in ["lax1", "fra1", "nrt1", "ams1"] {
      #expect(joined.stdout.components(separatedBy: "# Subtest: \(host)\n").count == 2, "\(joined.stdout)")
    }
    // Fleet assertions are judged over both shards' hosts: the same verdicts as the unsharded run.
    #expect(
      Self.testLines(joined.stdout).sorted() == Self.testLines(result.stdout).sorted(), "\(joined.stdout)")
  }

  @Test("a hanging host and a dead host are one could-not-check each; the others finish on time")
  func brokenHosts() throws {
    try Self.lab("lab/up.sh", "4")
    defer { _ = try? Self.lab("lab/down.sh") }
    try Self.lab("lab/fault.sh", "hang", "nrt1")
    try Self.lab("lab/fault.sh", "kill", "ams1")
    let root = try CLI.workspace(["pop.swift": Self.spec])
    let started = Date()
    let result = try Self.run(["--format", "human"], in: root)
    #expect(Date().timeIntervalSince(started) < 20)
    #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
    #expect(
      result.stdout.contains("✓ lax1: 5 passed, 0 failed, 0 could not check, 0 skipped"), "\(result.stdout)")
    #expect(result.stdout.contains("✓ fra1: 5 passed"), "\(result.stdout)")
    #expect(result.stdout.contains("? nrt1: 0 passed, 0 failed, 1 could not check"), "\(result.stdout)")
    #expect(result.stdout.contains("? ams1: 0 passed, 0 failed, 1 could not check"), "\(result.stdout)")
    #expect(result.stderr.contains("[4/4]"), "progress goes to stderr: \(result.stderr)")
  }

  /// Test lines without their numbers: subtests are numbered in the order hosts finished.
  @Test("a host whose sshd dies mid-run is one could-not-check; the others finish")
  func hostKilledMidRun() throws {
    try Self.lab("lab/up.sh", "4")
    defer { _ = try? Self.lab("lab/down.sh") }
    let root = try CLI.workspace([
      "slow.swift": """
      import InfraSpec

      describe("slow", hosts: "pops") {
        Command("sleep 3; echo done").stdout("done")
        File("/etc/pop/pop.conf").isFile()
      }
      """
    ])
    // Warm the cache for the path the run uses (it is part of the cache key), so the run connects
    // at once rather than compiling past the second below.
    _ = try CLI.run(["list", root.appendingPathComponent("Specs").path], in: Self.repository)
    // The run starts; once nrt1 runs the slow command (a loaded machine may take seconds to get
    // there), nrt1's sshd and its sessions are killed.
    let result = try Shell.run(
      [
        "sh", "-c",
        "\"$0\" run \"$2\" --inventory \"$1\"/inventory.ini --known-hosts \"$1\"/known_hosts --format human & "
          + "for _ in $(seq 300); do ip netns pids isl-nrt1 | xargs -r ps -o args= -p | grep -q '^sleep 3' && break; "
          + "sleep 0.1; done; bash lab/fault.sh kill nrt1 >/dev/null 2>&1; wait $!",
        CLI.infraspec, Self.state, root.appendingPathComponent("Specs").path,
      ], in: Self.repository, environment: ["XDG_CACHE_HOME": CLI.cacheDirectory])
    #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
    for host in ["lax1", "fra1", "ams1"] {
      #expect(
        result.stdout.contains("✓ \(host): 2 passed, 0 failed, 0 could not check, 0 skipped"),
        "\(result.stdout)")
    }
    #expect(
      result.stdout.contains("? nrt1: 0 passed, 0 failed, 1 could not check, 2 skipped"), "\(result.stdout)")
    #expect(result.stdout.contains("could not check the host: connection lost:"), "\(result.stdout)")
  }

  static func testLines(_ tap: String) -> [String] {
    tap.split(separator: "\n").filter { $0.contains("ok ") && !$0.hasPrefix("#") }
      .map { String($0.replacing(#/ok \d+ - /#, with: "ok - ")) }
  }
}
