@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// What the service manager says about one service.
struct ServiceFacts: Sendable {
  var running: Bool
  /// How the manager put it (`active (running)`, `activating (start-pre), still starting: not
  /// running yet`, `crashed`), for failure messages.
  var state: String
  /// Starts at boot by itself.
  var enabled: Bool
  /// How it stands for boot (`enabled`, `static (...)`, `masked (...)`, `in no runlevel`).
  var enablement: String
}

/// systemd when it is PID 1; OpenRC on Alpine, and on Debian under SysV init when OpenRC runs the
/// runlevels; LSB init scripts under SysV init. Where PID 1 is none of these (containers,
/// sandboxes) nothing can say whether a service runs: "could not check", never a guess from the
/// process table.
enum ServiceProbe {
  static func plan(_ name: String) -> FactPlanner {
    { profile throws(ProbeError) in
      try checkName(name)
      switch profile.serviceManager {
      case .systemd: return systemd(name)
      case .openrc: return openrc(name)
      case .sysvinit: return sysvinit(name)
      case .none: throw noManager(profile)
      }
    }
  }

  /// Every manager's service names fit this; anything else (`../x`, `-h`, `a;b`) is refused as
  /// data, before it could reach a path or an option.
  static func checkName(_ name: String) throws(ProbeError) {
    let allowed = name.unicodeScalars.allSatisfy {
      ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        || "@._:-".unicodeScalars.contains($0)
    }
    guard !name.isEmpty, allowed, !name.hasPrefix("-"), !name.hasPrefix(".") else {
      throw .other("not a service name: \(TextMatch.show(name))")
    }
  }

  static func noManager(_ profile: HostProfile) -> ProbeError {
    .other(
      "no service manager answers on this host: PID 1 is \(TextMatch.show(profile.initProcess)), not systemd, OpenRC or SysV init"
    )
  }

  // MARK: systemd

  static let systemdProperties = [
    "LoadState", "ActiveState", "SubState", "UnitFileState", "Result", "TriggeredBy", "WantedBy",
    "RequiredBy", "Id",
  ]

  static func systemdShow(_ unit: String, extra: [String] = [], options: [String] = []) -> ProbeCommand {
    ProbeCommand(
      ["systemctl", "show"] + options + [
        "--property=" + (systemdProperties + extra).joined(separator: ","), "--", unit,
      ])
  }

  static func unitName(_ name: String) -> String { name.contains(".") ? name : name + ".service" }

  static func systemd(_ name: String) -> FactPlan {
    let command = systemdShow(unitName(name))
    return FactPlan(commands: [command]) { outputs throws(ProbeError) in
      let output = try outputs.output(command)
      guard output.exitStatus == 0 else {
        throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
      }
      return systemdPresence(HostProfile.parseOSRelease(output.stdoutText), asked: unitName(name))
    }
  }

  /// Reads `systemctl show` fields. A unit systemd has no file for is absent, unless it failed
  /// before its file went away: a failed unit is never "no such unit".
  ///
  /// `systemctl show` answers for the unit an alias names (`sshd.service` shows `ssh.service`'s
  /// fields), so an alias is told by its `Id`, the real unit's name, differing from the name
  /// asked: what `systemctl is-enabled sshd.service` calls `alias`.
  static func systemdPresence(_ fields: [String: String], asked: String? = nil) -> Presence {
    let load = fields["LoadState"] ?? "unknown"
    let active = fields["ActiveState"] ?? "unknown"
    if load == "not-found", active != "failed" { return .absent("no such unit") }
    let sub = fields["SubState"] ?? "unknown"
    let triggers = (fields["TriggeredBy"] ?? "").split(separator: " ").joined(separator: ", ")
    var state = "\(active) (\(sub))"
    switch active {
    case "activating": state += ", still starting: not running yet"
    case "deactivating": state += ", stopping"
    case "failed": state += ", result \(fields["Result"] ?? "unknown")"
    case "inactive" where !triggers.isEmpty: state += ", started on demand by \(triggers)"
    default: break
    }
    var (enabled, enablement) = systemdEnablement(fields, load: load, triggers: triggers)
    // An alias starts at boot exactly when the unit it names does.
    if let asked, let id = fields["Id"], !id.isEmpty, id != asked, load != "not-found" {
      enablement = "alias of \(id), which is \(enablement)"
    }
    return .present(
      ServiceFacts(
        running: active == "active" || active == "reloading", state: state, enabled: enabled,
        enablement: enablement))
  }

  /// `systemctl is-enabled` exits 0 for static, indirect, alias, generated and transient units
  /// too (the goss #266 and Testinfra #416 bugs): only a unit that starts at boot by itself is
  /// enabled here, and every other state is named.
  static func systemdEnablement(_ fields: [String: String], load: String, triggers: String) -> (Bool, String)
  {
    let wantedBy = ((fields["WantedBy"] ?? "") + " " + (fields["RequiredBy"] ?? "")).split(separator: " ")
    let pulled = wantedBy.isEmpty ? "wanted by nothing" : "wanted by " + wantedBy.joined(separator: ", ")
    let fileState = load == "masked" ? "masked" : fields["UnitFileState"] ?? ""
    switch fileState {
    case "enabled", "enabled-runtime": return (true, fileState)
    // Generators (systemd-sysv-generator, fstab) enable by adding wants links, aliases share
    // their unit's links: either starts at boot exactly when something wants it.
    case "generated", "alias": return (!wantedBy.isEmpty, "\(fileState), \(pulled)")
    case "static":
      let how =
        triggers.isEmpty ? "starts only when another unit pulls it in" : "started on demand by \(triggers)"
      return (false, "static (no [Install] section: \(how))")
    case "masked", "masked-runtime": return (false, "\(fileState) (linked to /dev/null: cannot be started)")
    case "indirect":
      return (false, "indirect (enabled only through another unit's Also= or as a template instance)")
    case "transient": return (false, "transient (made at runtime: gone after a reboot)")
    case "": return (false, "unknown (systemd names no unit file state; load state \(load))")
    default: return (false, fileState)
    }
  }

  // MARK: OpenRC

  static func openrcCommands(_ name: String) -> (status: ProbeCommand, runlevels: ProbeCommand) {
    (ProbeCommand(["rc-service", name, "status"]), ProbeCommand(["rc-update", "show", "-v"]))
  }

  static func openrc(_ name: String) -> FactPlan {
    let commands = openrcCommands(name)
    return FactPlan(commands: [commands.status, commands.runlevels]) { outputs throws(ProbeError) in
      try openrcPresence(
        name, status: outputs.output(commands.status), runlevels: outputs.output(commands.runlevels))
    }
  }

  /// The runlevels OpenRC enters at boot; a service only in `shutdown` or `off` never starts.
  static let bootRunlevels: Set<String> = ["sysinit", "boot", "default"]

  static func openrcPresence(_ name: String, status: CommandOutput, runlevels: CommandOutput) -> Presence {
    if (status.stderrText + status.stdoutText).contains("does not exist") {
      return .absent("no such service")
    }
    // ` * status: started`; an LSB script run by OpenRC prints its own text (`sshd is running.`).
    // OpenRC says `started` and `stopped` with einfo on stdout, but `crashed`, `unsupervised`,
    // `starting` and `stopping` with eerror/ewarn on stderr.
    let said = (status.stdoutText + "\n" + status.stderrText).split(separator: "\n").last {
      $0.contains("status:")
    }
    let state = said.flatMap { $0.split(separator: ":").last }.map { $0.trimmingWhitespace() }
    let running = state.map { $0 == "started" } ?? (status.exitStatus == 0)
    var shown = state ?? (status.exitStatus == 0 ? "running" : "stopped (exit \(status.exitStatus))")
    if shown == "crashed" { shown = "crashed (its daemon died without being stopped)" }
    // supervise-daemon's pid file names a dead supervisor while the child it ran is still on
    // record: `rc-status --crashed` lists the service, `rc-service status` exits 64.
    if shown == "unsupervised" { shown = "crashed (its supervise-daemon died: unsupervised)" }
    if shown == "starting" { shown = "starting, not running yet" }
    // `  sshd |      default   boot` lines; a service in no runlevel has an empty right side.
    var levels: [String] = []
    for line in runlevels.stdoutText.split(separator: "\n") {
      let sides = line.split(separator: "|", omittingEmptySubsequences: false)
      guard sides.count == 2, sides[0].trimmingWhitespace() == name else { continue }
      levels = sides[1].split(separator: " ").map(String.init)
    }
    let enabled = levels.contains { bootRunlevels.contains($0) }
    let enablement =
      levels.isEmpty
      ? "in no runlevel" : "in runlevel\(levels.count == 1 ? "" : "s") \(levels.joined(separator: ", "))"
    return .present(ServiceFacts(running: running, state: shown, enabled: enabled, enablement: enablement))
  }

  // MARK: SysV init

  /// Debian under SysV init runs its runlevels with either sysv-rc or OpenRC; OpenRC keeps the
  /// runlevel it is in here, so the commands of both are asked and this file decides.
  static let openrcSoftlevel = ProbeCommand(["cat", "/run/openrc/softlevel"])
  static let inittab = ProbeCommand(["cat", "/etc/inittab"])
  static let rcDirectories = (["S"] + (1...5).map(String.init)).map { "/etc/rc\($0).d" }
  static let rcLinks = ProbeCommand(["ls", "-1"] + rcDirectories)

  /// LSB: `status` exits 0 when running, 1 or 2 when dead with a pid or lock file left, 3 when
  /// stopped, 4 when the state is unknown; `service --status-all` shows the same exit codes as
  /// `+`, `-` and `?`, for every script at once.
  static func sysvinit(_ name: String) -> FactPlan {
    let status = ProbeCommand(["/etc/init.d/\(name)", "status"])
    let openrcCommands = openrcCommands(name)
    let commands = [
      openrcSoftlevel, status, rcLinks, inittab, openrcCommands.status, openrcCommands.runlevels,
    ]
    return FactPlan(commands: commands) { outputs throws(ProbeError) in
      if try outputs.output(openrcSoftlevel).exitStatus == 0 {
        return try openrcPresence(
          name, status: outputs.output(openrcCommands.status),
          runlevels: outputs.output(openrcCommands.runlevels))
      }
      let output: CommandOutput
      do throws(ProbeError) {
        output = try outputs.output(status)
      } catch .commandNotFound {
        return .absent("no such service")
      }
      if output.exitStatus == 127 { return .absent("no such service") }
      if output.exitStatus == 4 || output.exitStatus >= 126 {
        throw .other(
          "\(status) cannot tell (exit \(output.exitStatus)): \(output.stderrText.trimmingWhitespace())")
      }
      let state =
        switch output.exitStatus {
        case 0: "running"
        case 1: "dead (its pid file is left)"
        case 2: "dead (its lock file is left)"
        default: "stopped"
        }
      let level = defaultRunlevel(try outputs.output(inittab).stdoutText)
      let (enabled, enablement) = sysvEnablement(
        name, links: try outputs.output(rcLinks).stdoutText, runlevel: level)
      return .present(
        ServiceFacts(running: output.exitStatus == 0, state: state, enabled: enabled, enablement: enablement))
    }
  }

  /// `id:2:initdefault:`; Debian's default is 2 when inittab names none.
  static func defaultRunlevel(_ inittab: String) -> String {
    for line in inittab.split(separator: "\n") where !line.hasPrefix("#") {
      let fields = line.split(separator: ":", omittingEmptySubsequences: false)
      if fields.count >= 3, fields[2] == "initdefault", !fields[1].isEmpty { return String(fields[1]) }
    }
    return "2"
  }

  /// Enabled when an `S<nn><name>` link starts it in rcS.d or in the default runlevel's directory.
  static func sysvEnablement(_ name: String, links: String, runlevel: String) -> (Bool, String) {
    var directory = ""
    var found: [String: [String]] = [:]
    for line in links.split(separator: "\n") {
      if line.hasSuffix(":") {
        directory = String(line.dropLast())
      } else if line.count > 3, line.dropFirst(3) == Substring(name), line.first == "S" || line.first == "K" {
        found[directory, default: []].append(String(line))
      }
    }
    let levelDirectory = "/etc/rc\(runlevel).d"
    for directory in ["/etc/rcS.d", levelDirectory] {
      if let link = found[directory]?.first(where: { $0.hasPrefix("S") }) {
        return (true, "enabled (\(directory)/\(link))")
      }
    }
    if let link = found[levelDirectory]?.first {
      return (false, "disabled (\(levelDirectory)/\(link) stops it in runlevel \(runlevel), the default)")
    }
    return (false, "disabled (no S link in \(levelDirectory), runlevel \(runlevel) is the default)")
  }
}
