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

/// Service and timer checks fed with output recorded on the lab's booted PoPs (systemd 252,
/// OpenRC 0.45 and sysv-rc on Debian 12; see `Tests/Fixtures/probes/debian12-inits/README.md`).
@Suite("services per init, from recorded output")
struct ServiceProbeTests {
  typealias Recordings = [ProbeCommand: Result<CommandOutput, ProbeError>]

  static func recorded(_ name: String, exit: Int32 = 0) throws -> Result<CommandOutput, ProbeError> {
    let base = ProbeFamilyTests.fixtures.appendingPathComponent("debian12-inits/\(name)")
    let stderr = (try? Data(contentsOf: base.appendingPathExtension("err"))).map(Array.init) ?? []
    let stdout = (try? Data(contentsOf: base.appendingPathExtension("out"))).map(Array.init) ?? []
    return .success(CommandOutput(exitStatus: exit, stdout: stdout, stderr: stderr))
  }

  static func host(init comm: String) throws -> Recordings {
    [
      HostProfile.osReleaseCommand: ProbeFamilyTests.ok(
        try ProbeFamilyTests.fixture("debian12-inits/os-release")),
      HostProfile.initCommand: ProbeFamilyTests.ok(comm + "\n"),
    ]
  }

  @Test("systemd: active, activating, reloading, failed, inactive and a unit that does not exist")
  func systemdRunning() async throws {
    var recordings = try Self.host(init: "systemd")
    let units = ["ssh", "lab-slow", "lab-fails", "lab-web", "lab-echo", "lab-nope"]
    for unit in units {
      recordings[ServiceProbe.systemdShow(unit + ".service")] = try Self.recorded("systemd-show-\(unit)")
    }
    let checks = units.flatMap { Service($0).isRunning().__chain.checks }
    #expect(
      await ProbeFamilyTests.verdicts(checks, recordings) == [
        "service ssh: is running => passed",
        "service lab-slow: running: expected running, got activating (start-pre), still starting: not running yet",
        "service lab-fails: running: expected running, got failed (failed), result exit-code",
        "service lab-web: running: expected running, got inactive (dead)",
        "service lab-echo: running: expected running, got inactive (dead), started on demand by lab-echo.socket",
        "service lab-nope: running: expected running, got no such unit",
      ])
    recordings[ServiceProbe.systemdShow("lab-web.service")] = try Self.recorded(
      "systemd-show-lab-web-reloading")
    let reloading =
      Service("lab-web").isRunning().__chain.checks + Service("lab-nope").doesNotExist().__chain.checks
      + Service("lab-fails").exists().__chain.checks
    #expect(
      await ProbeFamilyTests.verdicts(reloading, recordings) == [
        "service lab-web: is running => passed",
        "service lab-nope: does not exist => passed",
        "service lab-fails: exists => passed",
      ])
  }

  @Test("systemd: static, masked and socket-activated units are not enabled, and say why")
  func systemdEnabled() async throws {
    var recordings = try Self.host(init: "systemd")
    for unit in [
      "sshd.service", "lab-static.service", "lab-masked.service", "lab-echo.service", "lab-echo.socket",
    ] {
      let file =
        "systemd-show-"
        + unit.replacingOccurrences(of: ".service", with: "")
        .replacingOccurrences(of: ".socket", with: "-socket")
      recordings[ServiceProbe.systemdShow(unit)] = try Self.recorded(file)
    }
    let checks =
      ["sshd", "lab-static", "lab-masked", "lab-echo", "lab-echo.socket"].flatMap {
        Service($0).isEnabled().__chain.checks
      } + Service("sshd").isNotEnabled().__chain.checks
    #expect(
      await ProbeFamilyTests.verdicts(checks, recordings) == [
        "service sshd: is enabled => passed",
        "service lab-static: enabled: expected enabled, got static (no [Install] section: starts only when another unit pulls it in)",
        "service lab-masked: enabled: expected enabled, got masked (linked to /dev/null: cannot be started)",
        "service lab-echo: enabled: expected enabled, got static (no [Install] section: started on demand by lab-echo.socket)",
        "service lab-echo.socket: is enabled => passed",
        // systemctl show answers with ssh.service's fields; only its Id tells the alias.
        "service sshd: enabled: expected not enabled, got alias of ssh.service, which is enabled",
      ])
  }

  @Test(
    "systemd unit file states named by systemctl(1)",
    arguments: [
      ("enabled-runtime", "", true, "enabled-runtime"),
      ("generated", "multi-user.target", true, "generated, wanted by multi-user.target"),
      ("generated", "", false, "generated, wanted by nothing"),
      (
        "indirect", "", false,
        "indirect (enabled only through another unit's Also= or as a template instance)"
      ),
      ("transient", "", false, "transient (made at runtime: gone after a reboot)"),
      ("alias", "multi-user.target", true, "alias, wanted by multi-user.target"),
      ("disabled", "", false, "disabled"),
    ])
  func unitFileStates(state: String, wantedBy: String, enabled: Bool, enablement: String) throws {
    let fields = [
      "LoadState": "loaded", "ActiveState": "active", "UnitFileState": state, "WantedBy": wantedBy,
    ]
    guard case .present(let facts) = ServiceProbe.systemdPresence(fields), let facts = facts as? ServiceFacts
    else {
      Issue.record("a loaded unit is present")
      return
    }
    #expect(facts.enabled == enabled)
    #expect(facts.enablement == enablement)
  }

  @Test("timers: next elapse within a bound, on the host's clock; nothing scheduled says so")
  func timers() async throws {
    var recordings = try Self.host(init: "systemd")
    let now = Int64(1_796_160_855)
    recordings[TimerProbe.clock] = ProbeFamilyTests.ok("\(now)\n")
    let listed = """
      [{"next":1796162400000000,"left":1796162400000000,"last":0,"passed":0,"unit":"lab-tick.timer","activates":"lab-tick.service"},\
      {"next":null,"left":null,"last":0,"passed":0,"unit":"lab-idle.timer","activates":"lab-tick.service"}]
      """
    for unit in ["lab-tick.timer", "lab-idle.timer"] {
      recordings[ServiceProbe.systemdShow(unit)] = try Self.recorded("systemd-show-lab-tick-timer")
      recordings[
        ProbeCommand(["systemctl", "list-timers", "--all", "--output=json", "--no-pager", "--", unit])] =
        ProbeFamilyTests.ok(listed)
    }
    let checks =
      InfraSpec.Timer("lab-tick").isActive().isEnabled().nextElapse(within: .seconds(3_600)).__chain.checks
      + InfraSpec.Timer("lab-tick.timer").nextElapse(within: .seconds(600)).__chain.checks
      + InfraSpec.Timer("lab-idle").nextElapse(within: .days(1)).__chain.checks
    #expect(
      await ProbeFamilyTests.verdicts(checks, recordings) == [
        "timer lab-tick.timer: is active => passed",
        "timer lab-tick.timer: is enabled => passed",
        "timer lab-tick.timer: next elapse within 1h => passed",
        "timer lab-tick.timer: next elapse: expected within 10m, got in 25m 45s",
        "timer lab-idle.timer: next elapse: expected within 1d, got never (nothing scheduled; the timer is active (waiting))",
      ])
    #expect(TimerFacts.span(2_700_000) == "31d 6h")
    #expect(TimerFacts.span(0) == "0s")
  }

  @Test("OpenRC under SysV init (Debian): OpenRC's record read, runlevels, stopped, unsupervised, missing")
  func openrcOnDebian() async throws {
    var recordings = try Self.host(init: "init")
    recordings[ServiceProbe.openrcSoftlevel] = try Self.recorded("openrc-softlevel")
    recordings[ServiceProbe.openrcStates] = try Self.recorded("openrc-rc-status-servicelist")
    recordings[ServiceProbe.openrcRunlevels] = try Self.recorded("openrc-rc-update-show")
    // SysV init's own reads are asked too; OpenRC's softlevel decides they are not used. No
    // script is ever run: `rc-service` and `/etc/init.d/X status` are not in the plan.
    for name in ["ssh", "lab-web", "lab-idle", "lab-nope", "lab-crash"] {
      recordings[ServiceProbe.sysvScript(name)] = .failure(.other("not asked"))
    }
    recordings[ServiceProbe.pidFiles] = .failure(.other("not asked"))
    recordings[ServiceProbe.rcLinks] = .failure(.other("not asked"))
    recordings[ServiceProbe.inittab] = .failure(.other("not asked"))
    let checks =
      Service("ssh").isRunning().isEnabled().__chain.checks
      + Service("lab-web").isRunning().isEnabled().__chain.checks
      + Service("lab-idle").isEnabled().__chain.checks
      + Service("lab-nope").isRunning().__chain.checks
      + Service("lab-crash").isRunning().__chain.checks
    #expect(
      await ProbeFamilyTests.verdicts(checks, recordings) == [
        "service ssh: is running => passed",
        "service ssh: is enabled => passed",
        "service lab-web: running: expected running, got stopped",
        "service lab-web: is enabled => passed",
        "service lab-idle: enabled: expected enabled, got in no runlevel",
        "service lab-nope: running: expected running, got no such service",
        "service lab-crash: running: expected running, got crashed (its supervise-daemon died: unsupervised)",
      ])
    #expect(
      Self.commands(ServiceProbe.plan("ssh"), recordings).allSatisfy {
        !["rc-service", "/etc/init.d/ssh", "service"].contains($0.argv[0])
      })
  }

  /// The commands a plan asks on this host (its profile read from `recordings`).
  static func commands(_ plan: FactPlanner, _ recordings: Recordings) -> [ProbeCommand] {
    let profile = HostProfile(
      family: .debian, osName: "Debian GNU/Linux 12 (bookworm)", serviceManager: .sysvinit,
      initProcess: "init")
    return (try? plan(profile).commands) ?? []
  }

  @Test("OpenRC on Alpine: crashed is not running, and runlevel shutdown alone is not enabled")
  func openrcCrashed() throws {
    // rc-status prints the same service lines with --servicelist as with -a (here: -a's headers too).
    let states = CommandOutput(
      exitStatus: 0, stdout: try ProbeFamilyTests.fixture("alpine3.20/rc-status-a.out"), stderr: [])
    let runlevels = CommandOutput(exitStatus: 0, stdout: Array("  nginx |   shutdown\n".utf8), stderr: [])
    guard
      case .present(let facts) = try ServiceProbe.openrcPresence(
        "nginx", states: states, runlevels: runlevels),
      let facts = facts as? ServiceFacts
    else {
      Issue.record("nginx is present")
      return
    }
    #expect(!facts.running)
    #expect(facts.state == "crashed (its daemon died without being stopped)")
    #expect(!facts.enabled)
    #expect(facts.enablement == "in runlevel shutdown")
    let failed = CommandOutput(exitStatus: 1, stdout: [], stderr: Array("rc-status: no deptree\n".utf8))
    #expect(throws: ProbeError.self) {
      try ServiceProbe.openrcPresence("nginx", states: failed, runlevels: runlevels)
    }
  }

  @Test(
    "SysV init with sysv-rc: the script's pid files read, never the script run; the default runlevel's links")
  func sysvinit() async throws {
    var recordings = try Self.host(init: "init")
    recordings[ServiceProbe.openrcSoftlevel] = try Self.recorded("sysv-softlevel", exit: 1)
    recordings[ServiceProbe.rcLinks] = try Self.recorded("sysv-ls-rc")
    recordings[ServiceProbe.inittab] = try Self.recorded("sysv-inittab")
    recordings[ServiceProbe.pidFiles] = try Self.recorded("sysv-pid-files")
    recordings[ServiceProbe.openrcStates] = .failure(.commandNotFound("rc-status"))
    recordings[ServiceProbe.openrcRunlevels] = .failure(.commandNotFound("rc-update"))
    for name in ["ssh", "lab-web", "lab-idle"] {
      recordings[ServiceProbe.sysvScript(name)] = try Self.recorded("sysv-cat-\(name)")
    }
    recordings[ServiceProbe.sysvScript("lab-nope")] = try Self.recorded("sysv-cat-lab-nope", exit: 1)
    let checks =
      Service("ssh").isRunning().isEnabled().__chain.checks
      + Service("lab-web").isRunning().isEnabled().__chain.checks
      + Service("lab-idle").isNotRunning().isEnabled().__chain.checks
      + Service("lab-nope").doesNotExist().__chain.checks
    #expect(
      await ProbeFamilyTests.verdicts(checks, recordings) == [
        "service ssh: is running => passed",
        "service ssh: is enabled => passed",
        "service lab-web: running: expected running, got stopped (no pid file: /run/lab-web.pid)",
        "service lab-web: is enabled => passed",
        "service lab-idle: is not running => passed",
        "service lab-idle: enabled: expected enabled, got disabled (/etc/rc2.d/K01lab-idle stops it in runlevel 2, the default)",
        "service lab-nope: does not exist => passed",
      ])
    #expect(ServiceProbe.defaultRunlevel("# comment\nid:3:initdefault:\n") == "3")
    #expect(ServiceProbe.defaultRunlevel("") == "2")
    // Only reads: cat, ls, and the pid file loop (read, test, echo).
    let asked = Self.commands(ServiceProbe.plan("ssh"), recordings)
    #expect(
      asked.allSatisfy { ["cat", "ls", "sh", "rc-status", "rc-update"].contains($0.argv[0]) }, "\(asked)")
    #expect(!ServiceProbe.pidFileScript.contains("/etc/init.d"))
  }

  @Test("sysv-rc: pid files named by the script, its variables expanded; live, dead and missing")
  func sysvPidFiles() throws {
    let ssh = try #require(String(bytes: try Self.recorded("sysv-cat-ssh").get().stdout, encoding: .utf8))
    #expect(ServiceProbe.namedPidFiles(ssh, service: "ssh") == ["/run/sshd.pid"])
    let cron = """
      NAME=cron
      PIDFILE="/var/run/${NAME}d.pid"
      status) status_of_proc -p $PIDFILE $DAEMON $NAME && exit 0 || exit $? ;;
      """
    #expect(ServiceProbe.namedPidFiles(cron, service: "cron") == ["/run/crond.pid"])
    #expect(ServiceProbe.namedPidFiles("echo $UNKNOWN.pid /run/$X.pid", service: "x") == ["/run/x.pid"])
    #expect(
      ServiceProbe.namedPidFiles("case $1 in status) exit 0 ;; esac", service: "hostname.sh") == [
        "/run/hostname.sh.pid"
      ])
    let listing = "live 584 /run/sshd.pid\ndead 12 /var/run/crond.pid\nunreadable - /run/odd.pid\n"
    #expect(
      ServiceProbe.sysvState(pidFiles: ["/run/sshd.pid"], listing: listing) == (
        true, "running (pid 584 from /run/sshd.pid)"
      ))
    #expect(
      ServiceProbe.sysvState(pidFiles: ["/run/crond.pid"], listing: listing)
        == (false, "dead (its pid file /run/crond.pid names no live process)"))
    #expect(
      ServiceProbe.sysvState(pidFiles: ["/run/odd.pid"], listing: listing)
        == (false, "dead (its pid file /run/odd.pid names no live process)"))
    #expect(
      ServiceProbe.sysvState(pidFiles: ["/run/a.pid", "/run/b.pid"], listing: listing)
        == (false, "stopped (no pid file: /run/a.pid, /run/b.pid)"))
  }

  @Test("no init as PID 1 is could-not-check, naming PID 1")
  func noInit() async throws {
    let checks =
      Service("ssh").isRunning().__chain.checks + InfraSpec.Timer("logrotate").isActive().__chain.checks
    #expect(
      await ProbeFamilyTests.verdicts(checks, try Self.host(init: "process_api")) == [
        "service ssh: running: could not check: no service manager answers on this host: PID 1 is \"process_api\", not systemd, OpenRC or SysV init",
        "timer logrotate.timer: active: could not check: no service manager answers on this host: PID 1 is \"process_api\", not systemd, OpenRC or SysV init",
      ])
  }
}
