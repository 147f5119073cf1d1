/// What the service manager says about one service.
struct ServiceFacts: Sendable {
  var running: Bool
  var enabled: Bool
  /// How the manager put it (`active (running)`, `stopped`), for failure messages.
  var state: String
}

/// systemd when it is PID 1, OpenRC on Alpine, LSB init scripts under SysV init. Where PID 1 is
/// none of these (containers, sandboxes) nothing can say whether a service runs: "could not check",
/// never a guess from the process table.
enum ServiceProbe {
  static func plan(_ name: String) -> FactPlanner {
    { profile throws(ProbeError) in
      // Every manager's service names fit this; anything else (`../x`, `-h`, `a;b`) is refused as
      // data, before it could reach a path or an option.
      let allowed = name.unicodeScalars.allSatisfy {
        ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
          || "@._:-".unicodeScalars.contains($0)
      }
      guard !name.isEmpty, allowed, !name.hasPrefix("-"), !name.hasPrefix(".") else {
        throw .other("not a service name: \(TextMatch.show(name))")
      }
      switch profile.serviceManager {
      case .systemd: return systemd(name)
      case .openrc: return openrc(name)
      case .sysvinit: return sysvinit(name)
      case .none:
        throw .other(
          "no service manager answers on this host: PID 1 is \(TextMatch.show(profile.initProcess)), not systemd, OpenRC or SysV init"
        )
      }
    }
  }

  static func systemd(_ name: String) -> FactPlan {
    let unit = name.contains(".") ? name : name + ".service"
    let command = ProbeCommand([
      "systemctl", "show", "--property=LoadState,ActiveState,SubState,UnitFileState", "--", unit,
    ])
    return FactPlan(commands: [command]) { outputs throws(ProbeError) in
      let output = try outputs.output(command)
      guard output.exitStatus == 0 else {
        throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
      }
      let fields = HostProfile.parseOSRelease(output.stdoutText)
      if fields["LoadState"] == "not-found" { return .absent("no such service") }
      let active = fields["ActiveState"] ?? "unknown"
      return .present(
        ServiceFacts(
          running: active == "active",
          enabled: ["enabled", "enabled-runtime", "static"].contains(fields["UnitFileState"] ?? ""),
          state: "\(active) (\(fields["SubState"] ?? "unknown"))"))
    }
  }

  static func openrc(_ name: String) -> FactPlan {
    let status = ProbeCommand(["rc-service", name, "status"])
    let runlevels = ProbeCommand(["rc-update", "show", "-v"])
    return FactPlan(commands: [status, runlevels]) { outputs throws(ProbeError) in
      let output = try outputs.output(status)
      if output.stderrText.contains("does not exist") { return .absent("no such service") }
      // ` sshd | default` lines; a service in no runlevel shows with an empty right side.
      let enabled = try outputs.output(runlevels).stdoutText.split(separator: "\n").contains { line in
        let sides = line.split(separator: "|", omittingEmptySubsequences: false)
        return sides.count == 2 && sides[0].trimmingWhitespace() == name
          && !sides[1].trimmingWhitespace().isEmpty
      }
      let state = output.stdoutText.split(separator: ":").last.map { $0.trimmingWhitespace() } ?? "unknown"
      return .present(ServiceFacts(running: output.exitStatus == 0, enabled: enabled, state: state))
    }
  }

  /// LSB: `status` exits 0 when running, 3 when stopped, 4 when the state is unknown.
  static func sysvinit(_ name: String) -> FactPlan {
    let status = ProbeCommand(["/etc/init.d/\(name)", "status"])
    let links = ProbeCommand(["ls", "-1", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d"])
    return FactPlan(commands: [status, links]) { outputs throws(ProbeError) in
      let output: CommandOutput
      do throws(ProbeError) {
        output = try outputs.output(status)
      } catch .commandNotFound {
        return .absent("no such service")
      }
      if output.exitStatus == 4 || output.exitStatus >= 126 {
        throw .other(
          "\(status) cannot tell (exit \(output.exitStatus)): \(output.stderrText.trimmingWhitespace())")
      }
      let enabled = try outputs.output(links).stdoutText.split(separator: "\n").contains { entry in
        entry.hasPrefix("S") && entry.dropFirst(3) == Substring(name)
      }
      return .present(
        ServiceFacts(
          running: output.exitStatus == 0, enabled: enabled,
          state: output.exitStatus == 0 ? "running" : "stopped"))
    }
  }
}
