@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// An installed package's version, in its package manager's own scheme.
struct PackageFacts: Sendable {
  var version: String
  var scheme: VersionScheme
}

/// Per family: `dpkg-query` on Debian/Ubuntu, `rpm -q` on RHEL/Fedora, the apk database on Alpine.
enum PackageProbe {
  static func plan(_ name: String) -> FactPlanner {
    { profile throws(ProbeError) in
      switch profile.family {
      case .debian:
        // One listing of every package serves all package checks of the host: dpkg-query reads
        // the whole status database whatever it is asked, so asking once per package costs the
        // same read many times over.
        return FactPlan(commands: [dpkgListing]) { outputs throws(ProbeError) in
          try parseDpkg(outputs.output(dpkgListing), package: name, command: dpkgListing)
        }
      case .rhel:
        let command = ProbeCommand([
          "rpm", "-q", "--qf", "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\n", "--", name,
        ])
        return FactPlan(commands: [command]) { outputs throws(ProbeError) in
          try parseRPM(outputs.output(command), command: command)
        }
      case .alpine:
        let command = ProbeCommand(["cat", "/lib/apk/db/installed"])
        return FactPlan(commands: [command]) { outputs throws(ProbeError) in
          try parseAPKDatabase(outputs.output(command), package: name, command: command)
        }
      case .otherLinux:
        throw .other("no package probe for \(profile.osName)")
      }
    }
  }

  static let dpkgListing = ProbeCommand(
    ["dpkg-query", "-W", "-f", "${Package}\\t${Architecture}\\t${Status}\\t${Version}\\n"])

  /// `bash\tamd64\tinstall ok installed\t5.2.15-2+b2` lines; `name` may carry an architecture
  /// (`libc6:amd64`). Anything but `installed` (e.g. `config-files`) is absent.
  ///
  /// Every package check of a host reads the same listing of every package, so this works on
  /// the bytes, never on `Character`s: split into Characters, a 2,000-package listing read by 20
  /// checks was a fifth of a local run's CPU.
  static func parseDpkg(_ output: CommandOutput, package name: String, command: ProbeCommand)
    throws(ProbeError)
    -> Presence
  {
    guard output.exitStatus == 0 else {
      throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
    }
    let wanted = Array(name.utf8)
    // `libc6:amd64` is also the package `libc6` of architecture `amd64`.
    let colon = wanted.firstIndex(of: UInt8(ascii: ":"))
    let installed = Array(" installed".utf8)
    for line in output.stdout.split(separator: UInt8(ascii: "\n")) {
      let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
      guard fields.count == 4 else {
        throw .unexpectedOutput(command: command.description, detail: String(decoding: line, as: UTF8.self))
      }
      let matches =
        fields[0].elementsEqual(wanted)
        || colon.map {
          fields[0].elementsEqual(wanted[..<$0]) && fields[1].elementsEqual(wanted[($0 + 1)...])
        }
          ?? false
      guard matches else { continue }
      if fields[2].count >= installed.count, fields[2].suffix(installed.count).elementsEqual(installed) {
        return .present(PackageFacts(version: String(decoding: fields[3], as: UTF8.self), scheme: .dpkg))
      }
    }
    return .absent("not installed")
  }

  /// `bash\t(none)\t5.1.8\t9.el9`, or `package x is not installed` with exit status 1.
  static func parseRPM(_ output: CommandOutput, command: ProbeCommand) throws(ProbeError) -> Presence {
    if output.exitStatus != 0 {
      if output.stdoutText.contains("is not installed") { return .absent("not installed") }
      throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
    }
    // Several lines when several versions are installed side by side (kernels): the newest counts.
    var newest: String?
    for line in output.stdoutText.split(separator: "\n") {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard fields.count == 4 else {
        throw .unexpectedOutput(command: command.description, detail: String(line))
      }
      let epoch = fields[1] == "(none)" ? "" : "\(fields[1]):"
      let version = "\(epoch)\(fields[2])-\(fields[3])"
      if let current = newest, PackageVersion.compare(version, current, scheme: .rpm) != .newer { continue }
      newest = version
    }
    return newest.map { .present(PackageFacts(version: $0, scheme: .rpm)) } ?? .absent("not installed")
  }

  /// Records separated by blank lines; `P:` names the package, `V:` its version.
  static func parseAPKDatabase(_ output: CommandOutput, package: String, command: ProbeCommand)
    throws(ProbeError) -> Presence
  {
    guard output.exitStatus == 0 else {
      throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
    }
    // Bytes, as for dpkg: the database holds a dozen lines per package and every check reads it.
    let wanted = Array(package.utf8)
    var named = false
    for line in output.stdout.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      if line.isEmpty {
        named = false
      } else if line.starts(with: Array("P:".utf8)) {
        named = line.dropFirst(2).elementsEqual(wanted)
      } else if named, line.starts(with: Array("V:".utf8)) {
        return .present(
          PackageFacts(version: String(decoding: line.dropFirst(2), as: UTF8.self), scheme: .apk))
      }
    }
    return .absent("not installed")
  }
}
