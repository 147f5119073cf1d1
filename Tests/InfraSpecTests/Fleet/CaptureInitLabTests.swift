import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecDNS
@testable import InfraSpecSockets
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

// Nested in the lab suite, which is `.serialized`: no two lab tests share the namespaces at once.
extension FleetLabTests {
  /// `infraspec capture` and the service checks on the PoPs whose init is not systemd
  /// (`lab/up.sh --init mixed`: fra1 runs OpenRC, nrt1 sysv-rc, both under SysV init): the host is
  /// the same before and after, to the process, and the captured spec passes where it came from.
  @Suite("capture on OpenRC and sysv-rc PoPs changes nothing")
  struct CaptureInitLabTests {
    static let state = FleetLabTests.state

    /// What a capture or a run must leave as it was, read without running any init script:
    /// every process outside this SSH session by pid and command line (sshd's listener without
    /// its count of connections starting, the other sessions' `sshd: root...` left out), the
    /// init's record of each service and the runlevel (OpenRC: `rc-status` without uptimes,
    /// `rc-update`; sysv-rc: the rc links, the pid files and `runlevel`).
    static let snapshot = #"""
      me=$(ps -o sid= -p $$ | tr -d ' ')
      ps -e -o pid=,sid=,args= | while read -r pid sid args; do
        [ "$sid" = "$me" ] && continue
        case $args in
        "sshd: root"*) continue ;;
        *"[listener]"*) args="${args%%\[listener\]*}[listener]" ;;
        esac
        echo "process $pid $args"
      done
      if [ -e /run/openrc/softlevel ]; then
        echo "softlevel $(cat /run/openrc/softlevel)"
        rc-status --servicelist | sed -E 's/\[ *([a-z]+)[^]]*\]/[\1]/'
        rc-update show -v
        ls /run/openrc/started /run/openrc/starting /run/openrc/stopping /run/openrc/failed
      else
        echo "runlevel $(runlevel)"
        ls -1 /etc/rcS.d /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d
      fi
      for f in /run/*.pid; do echo "pid file $f $(cat "$f")"; done
      """#

    static func ssh(_ host: String, _ script: String) throws -> String {
      try Shell.must([
        "ssh", "-F", state + "/ssh_config", "-o", "ConnectTimeout=5", host, "sh", "-c",
        ShellQuoting.quote(script),
      ])
    }

    /// The snapshot; throws when sshd takes no new connection.
    static func look(_ host: String) throws -> [String] {
      try ssh(host, snapshot).split(separator: "\n").map(String.init)
    }

    static func remote(_ host: String) -> [String] {
      [
        "--inventory", state + "/inventory.ini", "--known-hosts", state + "/known_hosts", "--connect-timeout",
        "5", "--limit", host,
      ]
    }

    /// Lines only in `before` and only in `after`: empty when nothing changed.
    static func changes(_ before: [String], _ after: [String]) -> [String] {
      before.filter { !after.contains($0) }.map { "- " + $0 }
        + after.filter { !before.contains($0) }.map { "+ " + $0 }
    }

    @Test(
      "capturing fra1 (OpenRC) and nrt1 (sysv-rc), services included, changes no process or service state; the specs pass there"
    )
    func captureChangesNothing() throws {
      try FleetLabTests.lab("lab/up.sh", "--init", "mixed", "3")
      defer { _ = try? FleetLabTests.lab("lab/down.sh") }
      let only = "interfaces,routes,ports,services,packages,users,files:/etc/pop,sysctls,mounts"
      let root = try CLI.workspace([:])
      try FileManager.default.createDirectory(
        at: root.appendingPathComponent("Specs"), withIntermediateDirectories: true)
      for (host, kind) in [("fra1", "OpenRC"), ("nrt1", "sysv-rc")] {
        let before = try Self.look(host)
        #expect(before.contains { $0.hasPrefix("process ") && $0.contains("[listener]") }, "\(before)")
        #expect(before.contains { $0.hasSuffix(" /usr/sbin/cron") }, "cron runs: \(before)")
        let capture = try CLI.run(["capture", "--only", only] + Self.remote(host), in: root)
        #expect(capture.status == 0, "\(host): \(capture.stderr)")
        let after = try Self.look(host)
        #expect(
          Self.changes(before, after).isEmpty,
          "\(host) (\(kind)) changed by capture: \(Self.changes(before, after))")

        let spec = capture.stdout
        #expect(spec.contains(#"Service("ssh").isRunning().isEnabled()"#), "\(spec)")
        #expect(spec.contains(#"Service("cron").isRunning().isEnabled()"#), "\(spec)")
        // lab-web is in OpenRC's default runlevel, not in the rc links OpenRC ignores.
        #expect(spec.contains(#"Service("lab-web")."#), "\(spec)")
        #expect(!spec.contains(#"Service("rcS")"#) && !spec.contains(#"Service("rc")"#), "\(spec)")
        #expect(spec.contains("no script was run") || spec.contains("no init script was run"), "\(spec)")
        let path = "Specs/\(host).swift"
        try spec.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
        let run = try CLI.run(["run", path, "--format", "tap"] + Self.remote(host), in: root)
        #expect(run.status == 0, "\(host): \(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("not ok"), "\(run.stdout)")
        let passed = run.stdout.split(separator: "\n").filter { $0.trimmingWhitespace().hasPrefix("ok ") }
          .count
        #expect(passed > 30, "\(run.stdout)")
        let checked = try Self.look(host)
        #expect(
          Self.changes(before, checked).isEmpty,
          "\(host) changed by the run: \(Self.changes(before, checked))")
      }
    }

    /// Debian's `/etc/init.d/rcS` ignores its argument: on OpenRC it is `exec /sbin/openrc
    /// sysinit`, which stops the default runlevel (sshd with it); on sysv-rc `exec /etc/init.d/rc
    /// S`, which starts the boot scripts again. Asked `status`, as the service checks did before
    /// they only read, it took fra1's sshd away; checked now, nothing happens.
    @Test("checking the runlevel scripts rcS and rc runs neither: sshd and every service stay as they were")
    func runlevelScriptsAreNotRun() throws {
      try FleetLabTests.lab("lab/up.sh", "--init", "mixed", "3")
      defer { _ = try? FleetLabTests.lab("lab/down.sh") }
      let root = try CLI.workspace([
        "rcs.swift": """
        import InfraSpec

        describe("runlevel scripts") {
          Service("rcS").exists().isNotRunning().isNotEnabled()
          Service("rc").exists().isNotRunning().isNotEnabled()
        }
        """
      ])
      for host in ["fra1", "nrt1"] {
        let before = try Self.look(host)
        let run = try CLI.run(["run", "--format", "tap"] + Self.remote(host), in: root)
        #expect(run.status == 0, "\(host): \(run.stdout)\(run.stderr)")
        let after = try Self.look(host)
        #expect(Self.changes(before, after).isEmpty, "\(host) changed: \(Self.changes(before, after))")
      }
    }
  }
}
