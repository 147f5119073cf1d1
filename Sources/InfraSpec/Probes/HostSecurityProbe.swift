@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// Kernel modules from `/sys/module`, the effective sshd configuration from `sshd -T`, and SSH
/// host key fingerprints from `ssh-keygen -l`: the same on every Linux family.
enum HostSecurityProbe {
  /// Loaded modules and built-in ones with parameters; one listing serves every module check.
  static let modules = ProbeCommand(["ls", "-1", "/sys/module"])

  static func module(_ name: String) -> FactPlanner {
    { _ throws(ProbeError) in
      FactPlan(commands: [modules]) { outputs throws(ProbeError) in
        let output = try outputs.output(modules)
        guard output.exitStatus == 0 else {
          throw .other("cannot list /sys/module: \(output.stderrText.trimmingWhitespace())")
        }
        // The kernel shows dashes in module names as underscores.
        let wanted = name.replacingDashes
        let names = Set(output.stdoutText.split(separator: "\n").map { String($0).replacingDashes })
        return names.contains(wanted) ? .present(name) : .absent("not loaded")
      }
    }
  }

  /// `sshd -T`: every setting, keys lowercased, values of repeated keys in order.
  static func sshd(config: String?) -> FactPlanner {
    { _ throws(ProbeError) in
      let command = ProbeCommand(["sshd", "-T"] + (config.map { ["-f", $0] } ?? []))
      return FactPlan(commands: [command]) { outputs throws(ProbeError) in
        let output = try outputs.output(command)
        guard output.exitStatus == 0 else {
          throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
        }
        var settings: [String: [String]] = [:]
        for line in output.stdoutText.split(separator: "\n") {
          let parts = line.split(separator: " ", maxSplits: 1)
          guard let key = parts.first else { continue }
          settings[key.lowercased(), default: []].append(parts.count > 1 ? String(parts[1]) : "")
        }
        return .present(settings)
      }
    }
  }

  /// The SHA-256 fingerprint of a public host key file, as `ssh-keygen -l` prints it.
  static func fingerprint(_ path: String) -> FactPlanner {
    { _ throws(ProbeError) in
      let command = ProbeCommand(["ssh-keygen", "-l", "-E", "sha256", "-f", path])
      return FactPlan(commands: [command]) { outputs throws(ProbeError) in
        let output = try outputs.output(command)
        if output.exitStatus != 0 {
          if output.stderrText.contains("No such file") { return .absent("no such key file") }
          throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
        }
        let fields = output.stdoutText.split(separator: " ")
        guard fields.count >= 2, fields[1].hasPrefix("SHA256:") else {
          throw .unexpectedOutput(command: command.description, detail: output.stdoutText)
        }
        return .present(String(fields[1]))
      }
    }
  }
}

extension String {
  fileprivate var replacingDashes: String { String(map { $0 == "-" ? "_" : $0 }) }
}
