import Foundation
import Testing

// Nested in the lab suite, which is `.serialized`: no two lab tests share the namespaces at once.
extension FleetLabTests {
  /// A spec suite built into one file (`infraspec build`), carried into an empty folder and run
  /// with a bare environment against lab PoPs over SSH: no toolchain, no InfraSpec library, no
  /// HOME, only the inventory and its key. It must give `infraspec run`'s verdicts exactly.
  @Suite("a built binary against the lab")
  struct CarryLabTests {
    @Test("carried into an empty folder, a built fleet spec checks two lab PoPs as `infraspec run` does")
    func carriedFleet() throws {
      try FleetLabTests.lab("lab/up.sh", "--duplicate-mac", "2")
      defer { _ = try? FleetLabTests.lab("lab/down.sh") }
      let root = try CLI.workspace(["pop.swift": FleetLabTests.spec])
      let folder = NSTemporaryDirectory() + "isp-carry-lab-\(UUID().uuidString)"
      defer { try? FileManager.default.removeItem(atPath: folder) }
      let built = try CLI.run(["build", "Specs/pop.swift", "-o", folder + "/out/checks"], in: root)
      #expect(built.status == 0, "\(built.stdout)\(built.stderr)")
      try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: true)
      try Shell.must(["cp", folder + "/out/checks", folder + "/empty/checks"])

      let flags = [
        "--format", "tap", "--inventory", FleetLabTests.state + "/inventory.ini", "--known-hosts",
        FleetLabTests.state + "/known_hosts", "--connect-timeout", "5",
      ]
      let carried = try Shell.run(
        ["env", "-i", "PATH=/usr/bin:/bin", "./checks"] + flags, in: URL(fileURLWithPath: folder + "/empty"))
      let compiled = try FleetLabTests.run(["--format", "tap"], in: root)
      // The duplicated MAC fails in both, named the same way; everything else passes.
      #expect(carried.status == 1, "\(carried.stdout)\(carried.stderr)")
      #expect(compiled.status == 1, "\(compiled.stdout)\(compiled.stderr)")
      for host in ["lax1", "fra1"] {
        #expect(carried.stdout.contains("# Subtest: \(host)\n"), "\(carried.stdout)")
      }
      #expect(
        carried.stdout.contains(
          "interface eth0 mac: is unique per host: expected a different value on every host, got 02:00:00:00:00:01 on lax1, fra1"
        ), "\(carried.stdout)")
      #expect(
        FleetLabTests.testLines(carried.stdout).sorted() == FleetLabTests.testLines(compiled.stdout).sorted(),
        "\(carried.stdout)\n---\n\(compiled.stdout)")
      // Nothing of the toolchain or the library was within reach of the carried run.
      let libraries = try Shell.must(["ldd", folder + "/empty/checks"])
      #expect(!libraries.contains("libswift") && !libraries.contains("libInfraSpec"), "\(libraries)")
    }
  }
}
