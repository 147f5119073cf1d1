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

/// Services checked over SSH on lab PoPs that boot a real init (`lab/up.sh --init mixed`):
/// lax1 runs systemd, fra1 OpenRC, nrt1 sysv-rc, each as PID 1 of a systemd-nspawn container.
/// Every state is made for real: by the image (lab/init.sh) or by the test after boot.
///
/// Nested in the lab suite so that it never runs while another lab test holds the same
/// namespaces (`.serialized` covers nested suites). It never skips: a PoP that cannot boot fails
/// the test with lab/up.sh's error.
extension FleetLabTests {
  @Suite("services on PoPs with a real init")
  struct InitLabTests {
    static let spec = """
      import InfraSpec

      describe("systemd", hosts: "init_systemd") {
        Service("ssh").isRunning().isEnabled()
        Service("sshd").isRunning().isEnabled().isNotEnabled()
        Service("lab-fails").exists().isRunning().isEnabled()
        Service("lab-slow").isRunning()
        Service("lab-reloading").isRunning().isNotRunning()
        Service("lab-web").isNotRunning().isEnabled()
        Service("lab-static").isEnabled()
        Service("lab-masked").isNotRunning().isEnabled()
        Service("lab-echo").isRunning().isEnabled()
        Service("lab-echo.socket").isRunning().isEnabled()
        Service("lab-runtime").isEnabled()
        Service("lab-legacy").isRunning().isEnabled()
        Service("lab-indirect").isEnabled()
        Service("lab-transient").isRunning().isEnabled()
        Service("lab-nope").doesNotExist()
        Service("logrotate.timer").isRunning().isEnabled()
        Timer("lab-tick").isActive().isEnabled().nextElapse(within: .seconds(3_700))
        Timer("lab-yearly").nextElapse(within: .days(1))
        Timer("lab-idle").isEnabled().nextElapse(within: .days(400))
      }

      describe("openrc", hosts: "init_openrc") {
        Service("ssh").isRunning().isEnabled()
        Service("lab-web").isNotRunning().isEnabled()
        Service("lab-fails").isRunning()
        Service("lab-crash").exists().isRunning().isEnabled()
        Service("lab-idle").isEnabled()
        Service("lab-nope").doesNotExist()
      }

      describe("sysvinit", hosts: "init_sysvinit") {
        Service("ssh").isRunning().isEnabled()
        Service("lab-web").isNotRunning().isEnabled()
        Service("lab-idle").isEnabled()
        Service("lab-nope").doesNotExist()
      }
      """

    static func ssh(_ host: String, _ command: String) throws {
      try Shell.must(["ssh", "-F", FleetLabTests.state + "/ssh_config", host, command])
    }

    @Test("each init's states, made for real, checked over SSH: messages name the state")
    func services() throws {
      let started = Date()
      try FleetLabTests.lab("lab/up.sh", "--init", "mixed", "3")
      defer { _ = try? FleetLabTests.lab("lab/down.sh") }
      let booted = Date().timeIntervalSince(started)
      // States the images cannot hold: stopped after boot, still starting, enabled for this
      // boot only, transient, in the middle of a reload (its reload step takes 300 s).
      try Self.ssh(
        "lax1",
        "systemctl stop lab-web && systemctl start --no-block lab-slow && systemctl enable --runtime lab-runtime"
          + " && systemd-run --quiet --unit=lab-transient /bin/sleep 600"
          + " && systemd-run --quiet --unit=lab-reloading -p 'ExecReload=/bin/sleep 300' /bin/sleep 600"
          + " && systemctl reload --no-block lab-reloading")
      try Self.ssh("fra1", "rc-service lab-web stop")
      // A crash for real: the supervisor and its daemon die by SIGKILL, nothing stops them.
      try Self.ssh(
        "fra1", "kill -KILL $(cat /run/lab-crash.pid) $(cat /run/openrc/options/lab-crash/child_pid)")
      let crashed = try Shell.must([
        "ssh", "-F", FleetLabTests.state + "/ssh_config", "fra1", "rc-status --crashed",
      ])
      #expect(crashed.split(separator: "\n").map { $0.trimmingWhitespace() } == ["lab-crash"], "\(crashed)")
      try Self.ssh("nrt1", "/etc/init.d/lab-web stop")
      // The sysv-rc answer agrees with the one service(8) gives for every script.
      let statusAll = try Shell.must([
        "ssh", "-F", FleetLabTests.state + "/ssh_config", "nrt1", "service --status-all",
      ])
      #expect(statusAll.contains(" [ + ]  ssh\n") && statusAll.contains(" [ - ]  lab-web\n"), "\(statusAll)")

      let root = try CLI.workspace(["services.swift": Self.spec])
      let result = try FleetLabTests.run(["--format", "tap"], in: root)
      let messages = result.stdout.split(separator: "\n").filter { $0.contains("message: ") }
        .map { $0.trimmingWhitespace() }.sorted()
      #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
      #expect(
        messages == [
          #"message: "service lab-crash: running: expected running, got crashed (its supervise-daemon died: unsupervised)""#,
          #"message: "service lab-echo: enabled: expected enabled, got static (no [Install] section: started on demand by lab-echo.socket)""#,
          #"message: "service lab-echo: running: expected running, got inactive (dead), started on demand by lab-echo.socket""#,
          #"message: "service lab-fails: running: expected running, got failed (failed), result exit-code""#,
          #"message: "service lab-fails: running: expected running, got stopped""#,
          #"message: "service lab-idle: enabled: expected enabled, got disabled (/etc/rc2.d/K01lab-idle stops it in runlevel 2, the default)""#,
          #"message: "service lab-idle: enabled: expected enabled, got in no runlevel""#,
          #"message: "service lab-indirect: enabled: expected enabled, got indirect (enabled only through another unit's Also= or as a template instance)""#,
          #"message: "service lab-masked: enabled: expected enabled, got masked (linked to /dev/null: cannot be started)""#,
          #"message: "service lab-reloading: running: expected not running, got reloading (reload)""#,
          #"message: "service lab-slow: running: expected running, got activating (start-pre), still starting: not running yet""#,
          #"message: "service lab-static: enabled: expected enabled, got static (no [Install] section: starts only when another unit pulls it in)""#,
          #"message: "service lab-transient: enabled: expected enabled, got transient (made at runtime: gone after a reboot)""#,
          #"message: "service sshd: enabled: expected not enabled, got alias of ssh.service, which is enabled""#,
          #"message: "timer lab-idle.timer: enabled: expected enabled, got disabled""#,
          #"message: "timer lab-idle.timer: next elapse: expected within 400d, got never (nothing scheduled; the timer is inactive (dead))""#,
        ] + [yearly(result.stdout)], "\(result.stdout)")
      print("init lab: 3 PoPs (systemd, OpenRC, sysv-rc) booted in \(Int(booted)) s")
    }

    /// The yearly timer fires on 1 January: its distance from now is whatever today makes it.
    func yearly(_ tap: String) -> String {
      let line = tap.split(separator: "\n").first { $0.contains("timer lab-yearly.timer: next elapse:") }
      let text = line.map { $0.trimmingWhitespace() } ?? "no lab-yearly line"
      #expect(
        text.contains(#/expected within 1d, got in [0-9]+d( [0-9]+[hm])?"$/#), "lab-yearly: \(text)")
      return text
    }
  }
}
