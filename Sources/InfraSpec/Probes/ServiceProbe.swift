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

  /// OpenRC's own record of every service's state (`started`, `stopped`, `crashed`,
  /// `unsupervised`, `starting`, ...), and the runlevels each service is in. Both only read
  /// OpenRC's state (/run/openrc, /etc/runlevels) and ask `kill(pid, 0)` of the daemons it
  /// recorded: traced on the lab's OpenRC PoP, neither writes a file nor runs a program.
  ///
  /// `rc-service X status` is never asked: it runs the script X (openrc-run sources it with its
  /// dependencies and hooks; an LSB script runs as it is), and a script may ignore its argument.
  /// Debian's `/etc/init.d/rcS` is `exec /sbin/openrc sysinit`: asked its status, it switched the
  /// lab's OpenRC PoP to the sysinit runlevel, which stops every service of the default one,
  /// sshd included (FleetLabTests' capture test pins this).
  static let openrcStates = ProbeCommand(["rc-status", "--servicelist"])
  static let openrcRunlevels = ProbeCommand(["rc-update", "show", "-v"])

  static func openrc(_ name: String) -> FactPlan {
    FactPlan(commands: [openrcStates, openrcRunlevels]) { outputs throws(ProbeError) in
      try openrcPresence(
        name, states: outputs.output(openrcStates), runlevels: outputs.output(openrcRunlevels))
    }
  }

  /// The runlevels OpenRC enters at boot; a service only in `shutdown` or `off` never starts.
  static let bootRunlevels: Set<String> = ["sysinit", "boot", "default"]

  static func openrcPresence(_ name: String, states: CommandOutput, runlevels: CommandOutput)
    throws(ProbeError)
    -> Presence
  {
    for (output, command) in [(states, openrcStates), (runlevels, openrcRunlevels)]
    where output.exitStatus != 0 {
      throw .other(
        "\(command) failed (exit \(output.exitStatus)): \(output.stderrText.trimmingWhitespace())")
    }
    // ` ssh     [  started  ]`; a supervised service adds its uptime and respawns
    // (`[  started 00:00:07 (0) ]`). Headers (`Runlevel: default`) have no brackets.
    var recorded: String?
    for line in states.stdoutText.split(separator: "\n") {
      let words = line.split(whereSeparator: \.isWhitespace)
      if words.count >= 3, words[0] == Substring(name), words[1] == "[" { recorded = String(words[2]) }
    }
    // `  sshd |      default   boot` lines; a service in no runlevel has an empty right side.
    // Every script of /etc/init.d has a line, also those rc-status leaves out (`rcS`, keyworded
    // out for this container).
    var levels: [String]?
    for line in runlevels.stdoutText.split(separator: "\n") {
      let sides = line.split(separator: "|", omittingEmptySubsequences: false)
      guard sides.count == 2, sides[0].trimmingWhitespace() == name else { continue }
      levels = sides[1].split(separator: " ").map(String.init)
    }
    guard recorded != nil || levels != nil else { return .absent("no such service") }
    let state = recorded ?? "stopped"
    let shown =
      switch state {
      case "crashed": "crashed (its daemon died without being stopped)"
      // supervise-daemon's pid file names a dead supervisor while the child it ran is still on
      // record: `rc-status --crashed` lists the service.
      case "unsupervised": "crashed (its supervise-daemon died: unsupervised)"
      case "starting": "starting, not running yet"
      default: state
      }
    let inLevels = levels ?? []
    let enabled = inLevels.contains { bootRunlevels.contains($0) }
    let enablement =
      inLevels.isEmpty
      ? "in no runlevel" : "in runlevel\(inLevels.count == 1 ? "" : "s") \(inLevels.joined(separator: ", "))"
    return .present(
      ServiceFacts(running: state == "started", state: shown, enabled: enabled, enablement: enablement))
  }

  // MARK: SysV init

  /// Debian under SysV init runs its runlevels with either sysv-rc or OpenRC; OpenRC keeps the
  /// runlevel it is in here, so the commands of both are asked and this file decides.
  static let openrcSoftlevel = ProbeCommand(["cat", "/run/openrc/softlevel"])
  static let inittab = ProbeCommand(["cat", "/etc/inittab"])
  static let rcDirectories = (["S"] + (1...5).map(String.init)).map { "/etc/rc\($0).d" }
  static let rcLinks = ProbeCommand(["ls", "-1"] + rcDirectories)

  /// The init script, read (never run: `/etc/init.d/X status` runs whatever the script does,
  /// and on Debian with OpenRC `/etc/init.d/rcS status` switches runlevels and stops sshd).
  static func sysvScript(_ name: String) -> ProbeCommand {
    ProbeCommand(["cat", "--", "/etc/init.d/\(name)"])
  }

  /// Every pid file under /run (and /var/run, where it is not a link to /run), two levels deep,
  /// with the pid it names and whether /proc has that process: `live PID PATH`, `dead PID PATH`,
  /// `unreadable - PATH`. Only reads.
  static let pidFiles = ProbeCommand(["sh", "-c", pidFileScript])
  static let pidFileScript = """
    for f in /run/*.pid /run/*/*.pid /var/run/*.pid /var/run/*/*.pid; do
      [ -f "$f" ] || continue
      pid=
      read -r pid <"$f" 2>/dev/null || [ -n "$pid" ] || pid=
      case $pid in
      '' | *[!0-9]*) echo "unreadable - $f" ;;
      *) if [ -d "/proc/$pid" ]; then echo "live $pid $f"; else echo "dead $pid $f"; fi ;;
      esac
    done
    exit 0
    """

  /// An LSB service's state read, not asked: LSB's `status_of_proc -p PIDFILE` says running when
  /// the pid file names a live process, dead when it names none, stopped without a pid file.
  /// The same is decided here from the pid files the script names (`PIDFILE=/run/x.pid`,
  /// `-p /run/sshd.pid`, `/run/$NAME.pid`), else `/run/<name>.pid`. A script that records no
  /// pid file (Debian's boot tasks: `hostname.sh`, `mountall.sh`) is never running.
  static func sysvinit(_ name: String) -> FactPlan {
    let script = sysvScript(name)
    let commands = [openrcSoftlevel, script, pidFiles, rcLinks, inittab, openrcStates, openrcRunlevels]
    return FactPlan(commands: commands) { outputs throws(ProbeError) in
      if try outputs.output(openrcSoftlevel).exitStatus == 0 {
        return try openrcPresence(
          name, states: outputs.output(openrcStates), runlevels: outputs.output(openrcRunlevels))
      }
      let text = try outputs.output(script)
      if text.exitStatus != 0 {
        let error = text.stderrText.trimmingWhitespace()
        if error.contains("No such file") { return .absent("no such service") }
        throw .other("\(script) failed (exit \(text.exitStatus)): \(error)")
      }
      let listing = try outputs.output(pidFiles)
      guard listing.exitStatus == 0 else {
        throw .other("reading the pid files failed: \(listing.stderrText.trimmingWhitespace())")
      }
      let (running, state) = sysvState(
        pidFiles: namedPidFiles(text.stdoutText, service: name), listing: listing.stdoutText)
      let level = defaultRunlevel(try outputs.output(inittab).stdoutText)
      let (enabled, enablement) = sysvEnablement(
        name, links: try outputs.output(rcLinks).stdoutText, runlevel: level)
      return .present(ServiceFacts(running: running, state: state, enabled: enabled, enablement: enablement))
    }
  }

  /// Running when one of the script's pid files names a live process.
  static func sysvState(pidFiles: [String], listing: String) -> (Bool, String) {
    var found: [String: (live: Bool, pid: String)] = [:]
    for line in listing.split(separator: "\n") {
      let fields = line.split(separator: " ", maxSplits: 2)
      guard fields.count == 3 else { continue }
      found[runPath(String(fields[2]))] = (fields[0] == "live", String(fields[1]))
    }
    if let path = pidFiles.first(where: { found[$0]?.live == true }), let pid = found[path]?.pid {
      return (true, "running (pid \(pid) from \(path))")
    }
    if let path = pidFiles.first(where: { found[$0] != nil }) {
      return (false, "dead (its pid file \(path) names no live process)")
    }
    return (false, "stopped (no pid file: \(pidFiles.joined(separator: ", ")))")
  }

  /// /var/run is a link to /run on every current distribution; one name for both.
  static func runPath(_ path: String) -> String {
    path.hasPrefix("/var/run/") ? String(path.dropFirst("/var".count)) : path
  }

  /// The pid files a script names, its shell variables (`PIDFILE=/run/$NAME.pid`) expanded from
  /// its own plain assignments; `/run/<service>.pid` when it names none.
  static func namedPidFiles(_ script: String, service: String) -> [String] {
    var variables: [String: String] = [:]
    var paths: [String] = []
    let separators: Set<Character> = ["\"", "'", ";", "=", "(", ")", "<", ">", "|", "&", "`", " ", "\t"]
    for raw in script.split(separator: "\n") {
      let line = expand(raw.trimmingWhitespace(), variables)
      if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
        let name = line[..<equals]
        if let first = name.first, first.isLetter || first == "_",
          name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        {
          var value = line[line.index(after: equals)...]
          if let quote = value.first, quote == "\"" || quote == "'" {
            value = value.dropFirst().prefix { $0 != quote }
          } else {
            value = value.prefix { !$0.isWhitespace && $0 != ";" }
          }
          variables[String(name)] = String(value)
        }
      }
      for token in line.split(whereSeparator: { separators.contains($0) }) {
        let path = runPath(String(token))
        guard path.hasPrefix("/run/"), path.hasSuffix(".pid"), !path.contains("$"), !paths.contains(path)
        else { continue }
        paths.append(path)
      }
    }
    return paths.isEmpty ? ["/run/\(service).pid"] : paths
  }

  /// `$NAME` and `${NAME}` replaced by the values known; unknown ones are left as they are.
  static func expand(_ text: String, _ variables: [String: String]) -> String {
    var result = ""
    var rest = Substring(text)
    while let dollar = rest.firstIndex(of: "$") {
      result += rest[..<dollar]
      var after = rest[rest.index(after: dollar)...]
      let braced = after.first == "{"
      if braced { after = after.dropFirst() }
      let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
      let closed = !braced || after.dropFirst(name.count).first == "}"
      if !name.isEmpty, closed, let value = variables[String(name)] {
        result += value
        rest = after.dropFirst(name.count + (braced ? 1 : 0))
      } else {
        result += "$"
        rest = rest[rest.index(after: dollar)...]
      }
    }
    return result + rest
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
