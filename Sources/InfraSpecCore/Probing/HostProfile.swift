/// What InfraSpec learns about a host once, before any check: its OS family and service manager.
public struct HostProfile: Sendable, Hashable, Codable {
  /// The operating system family that decides which commands probes use.
  public enum Family: String, Sendable, Codable, CaseIterable {
    /// Debian and Ubuntu (dpkg); RHEL, Fedora and their rebuilds (rpm); Alpine (apk).
    case debian, rhel, alpine
    /// A Linux InfraSpec has no package probes for; OS-independent checks still run.
    case otherLinux = "linux"
  }

  /// Who answers for services.
  public enum ServiceManager: String, Sendable, Codable {
    /// The init system that answers for services.
    case systemd, openrc, sysvinit
    /// PID 1 is no init system (a container, a sandbox): no one can say what runs as a service.
    case none
  }

  /// Which commands probe packages and services.
  public var family: Family
  /// `PRETTY_NAME` from `/etc/os-release`, for reports.
  public var osName: String
  /// Which init system the service checks ask.
  public var serviceManager: ServiceManager
  /// The command name of PID 1, named when no service manager can answer.
  public var initProcess: String

  /// A profile as the profile probes found it (tests and replays make their own).
  public init(family: Family, osName: String, serviceManager: ServiceManager, initProcess: String) {
    self.family = family
    self.osName = osName
    self.serviceManager = serviceManager
    self.initProcess = initProcess
  }

  /// The two commands whose output `detect` reads.
  package static let osReleaseCommand = ProbeCommand(["cat", "/etc/os-release"])
  package static let initCommand = ProbeCommand(["cat", "/proc/1/comm"])

  /// Reads the family from os-release `ID`/`ID_LIKE` and the service manager from PID 1.
  package static func detect(osRelease: String, initComm: String) -> HostProfile {
    let fields = parseOSRelease(osRelease)
    let ids = ([fields["ID"] ?? ""] + (fields["ID_LIKE"] ?? "").split(separator: " ").map(String.init))
      .map { $0.lowercased() }
    let family: Family =
      if ids.contains(where: { ["debian", "ubuntu"].contains($0) }) {
        .debian
      } else if ids.contains(where: { ["rhel", "fedora", "centos"].contains($0) }) {
        .rhel
      } else if ids.contains("alpine") {
        .alpine
      } else {
        .otherLinux
      }
    let initName = initComm.trimmingWhitespace()
    let manager: ServiceManager =
      switch initName {
      case "systemd": .systemd
      case "openrc-init": .openrc
      case "init" where family == .alpine: .openrc
      case "init": .sysvinit
      default: .none
      }
    return HostProfile(
      family: family, osName: fields["PRETTY_NAME"] ?? fields["ID"] ?? "unknown Linux",
      serviceManager: manager, initProcess: initName)
  }

  /// `KEY=value` lines with optional shell-style quotes, as os-release(5) defines them.
  package static func parseOSRelease(_ text: String) -> [String: String] {
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
      var value = line[line.index(after: equals)...]
      if let first = value.first, first == "\"" || first == "'", value.last == first, value.count >= 2 {
        value = value.dropFirst().dropLast()
      }
      fields[String(line[..<equals])] = String(value)
    }
    return fields
  }
}

extension StringProtocol {
  package func trimmingWhitespace() -> String {
    var view = Substring(self)
    while let first = view.first, first.isWhitespace { view = view.dropFirst() }
    while let last = view.last, last.isWhitespace { view = view.dropLast() }
    return String(view)
  }
}
