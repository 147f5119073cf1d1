import Foundation
import Testing

// Nested in the lab suite, which is `.serialized`: no two lab tests share the namespaces at once.
extension FleetLabTests {
  /// `lab/demo.sh --yes`, the workshop script, start to end unattended as CI runs it: every step
  /// turns the colour it should with its cause named, and the lab is gone afterwards. Run under
  /// `flock /tmp/infraspec-lab.lock`.
  @Suite("lab/demo.sh")
  struct DemoLabTests {
    @Test("--yes runs every step: green, each break red with its cause, fixed green; nothing left running")
    func unattended() throws {
      defer { _ = try? FleetLabTests.lab("lab/down.sh") }
      let result = try Shell.run(
        ["bash", "lab/demo.sh", "--yes"], in: FleetLabTests.repository,
        environment: ["INFRASPEC": CLI.infraspec, "XDG_CACHE_HOME": CLI.cacheDirectory])
      let output = result.stdout + result.stderr
      #expect(result.status == 0, "\(output)")
      #expect(output.contains("demo: done"), "\(output)")
      // Every step says what to tell the room and what runs.
      for step in 1...8 { #expect(output.contains("━━ step \(step): "), "step \(step)") }
      #expect(output.components(separatedBy: "  say: ").count - 1 >= 8)
      let verdicts = output.split(separator: "\n").filter { $0.hasPrefix("demo: step ") }.map(String.init)
      #expect(
        verdicts == [
          "demo: step 2 green",
          "demo: step 3 red on fleet: mac: is unique per host got 02:00:00:00:00:01 on lax1, fra1",
          "demo: step 3 green",
          "demo: step 4 red on fleet: service.key sha256: is unique per host on lax1, fra1",
          "demo: step 4 green",
          "demo: step 5 red on nrt1: dnssec pop.test",
          "demo: step 5 green",
          "demo: step 6 red on ams1: certificate /etc/pop/tls/pop.pem tls www.pop.test:8443",
          "demo: step 6 green",
          "demo: step 7 green",
          "demo: step 7 red on fra1: http http://www.pop.test:8080/: status: expected 200, got 502",
          "demo: step 7 green",
        ], "\(output)")
      // The causes as the audience reads them.
      // A 5-day certificate: 4 or 5 days left, depending on the seconds between making and checking it.
      #expect(
        output.contains(#/expected valid for at least 30 days, got leaf www\.pop\.test expires in [45] days/#)
      )
      #expect(output.contains("expected 200, got 502"), "\(output)")

      // down.sh (the last step) left nothing: no namespace, no link, no server of the lab.
      let namespaces = try Shell.must(["ip", "netns", "list"])
      #expect(!namespaces.contains("isl-"), "\(namespaces)")
      let links = try Shell.must(["ip", "-o", "link", "show"])
      #expect(!links.contains("isl-"), "\(links)")
      let state = FleetLabTests.state
      let processes = try Shell.must(["ps", "-eo", "args"])
      #expect(!processes.contains(state), "\(processes)")
      #expect(!FileManager.default.fileExists(atPath: state))
    }
  }
}
