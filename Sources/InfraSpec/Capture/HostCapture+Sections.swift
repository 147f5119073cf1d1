@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge

/// One `describe` block of a captured spec: statements, and comments saying what was left out.
struct CapturedSection: Sendable {
  var title: String
  var lines: [String] = []
  var notes: [String] = []
}

private typealias Literal = SwiftLiteral

/// Each kind of fact, read through the probes the resources use and written as the statements
/// a user would write.
extension FactGatherer {
  func interfaces() async throws(ProbeError) -> CapturedSection {
    var section = CapturedSection(title: "interfaces")
    // The commands and parsers `Interface` uses, for every interface at once.
    let all: [InterfaceFacts]
    if profile.family == .alpine {
      let links = try await output(InterfaceProbe.oneLineLinks)
      let addresses = try await output(InterfaceProbe.oneLineAddresses)
      all = try InterfaceProbe.parseOneLine(links: links.stdoutText, addresses: addresses.stdoutText)
    } else {
      let json = try await output(InterfaceProbe.json)
      guard json.exitStatus == 0 else {
        throw .other("\(InterfaceProbe.json) failed: \(json.stderrText.trimmingWhitespace())")
      }
      all = try InterfaceProbe.parseJSON(json.stdoutText)
    }
    for facts in all {
      var line = "Interface(\(Literal.string(facts.name)))"
      switch facts.state {
      case "up": line += ".isUp()"
      case "down": line += ".isDown()"
      default: line += ".exists()"
      }
      if facts.mtu > 0 { line += ".mtu(\(facts.mtu))" }
      if !facts.mac.isEmpty { line += ".mac(\(Literal.string(facts.mac)))" }
      for address in facts.addresses { line += ".hasAddress(\(Literal.string(address)))" }
      section.lines.append(line)
    }
    return section
  }

  func routes() async throws(ProbeError) -> CapturedSection {
    var section = CapturedSection(title: "routes")
    guard let routes = try await facts(RouteProbe.plan, as: [RouteEntry].self) else { return section }
    var written: Set<String> = []
    for route in routes {
      let isIPv6 =
        route.gateway.flatMap { IPAddress($0) }.map { !$0.isIPv4 } ?? route.destination.contains(":")
      var line =
        route.destination == "default"
        ? (isIPv6 ? "Route.defaultIPv6" : "Route.default") : "Route(\(Literal.string(route.destination)))"
      line += ".exists()"
      if let gateway = route.gateway { line += ".via(\(Literal.string(gateway)))" }
      if let device = route.device { line += ".device(\(Literal.string(device)))" }
      if written.insert(line).inserted { section.lines.append(line) }
    }
    return section
  }

  func ports() async throws(ProbeError) -> CapturedSection {
    var section = CapturedSection(title: "ports")
    guard let listeners = try await facts(SocketProbe.plan, as: [Listener].self) else { return section }
    // Ports the kernel hands out to outgoing connections change from one moment to the next.
    let range = try await facts(Sysctl("net.ipv4.ip_local_port_range").__chain.plan, as: String.self)
    let bounds = (range ?? "").split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
    let ephemeral = bounds.count == 2 ? bounds[0]...bounds[1] : 32768...60999
    var byPort: [String: (number: Int, proto: Port.TransportProtocol, addresses: [IPAddress])] = [:]
    var left = 0
    for listener in listeners {
      guard !ephemeral.contains(listener.port) else {
        left += 1
        continue
      }
      let key = "\(listener.proto.rawValue)/\(listener.port)"
      var entry = byPort[key] ?? (number: listener.port, proto: listener.proto, addresses: [])
      if let address = IPAddress(listener.address), !entry.addresses.contains(address) {
        entry.addresses.append(address)
      }
      byPort[key] = entry
    }
    let sorted = byPort.values.sorted { ($0.proto.rawValue, $0.number) < ($1.proto.rawValue, $1.number) }
    for entry in sorted {
      var line = entry.proto == .tcp ? "Port(\(entry.number))" : "Port(\(entry.number), .udp)"
      if entry.addresses.isEmpty || entry.addresses.contains(where: \.isUnspecified) {
        line += ".isListening()"
      } else {
        for address in entry.addresses { line += ".isListening(on: \(Literal.string(address.description)))" }
      }
      section.lines.append(line)
    }
    if left > 0 {
      section.notes.append("\(left) listener(s) in the ephemeral range \(ephemeral) left out: they change")
    }
    return section
  }

  func services() async throws(ProbeError) -> CapturedSection {
    var section = CapturedSection(title: "services")
    var manager = profile.serviceManager
    // Debian under SysV init whose runlevels OpenRC runs: OpenRC's record is the one to list.
    if manager == .sysvinit, (try? await output(ServiceProbe.openrcSoftlevel))?.exitStatus == 0 {
      manager = .openrc
    }
    let listing: ProbeCommand
    switch manager {
    case .systemd:
      listing = ProbeCommand(["systemctl", "list-unit-files", "--type=service", "--no-legend", "--no-pager"])
    case .openrc: listing = ServiceProbe.openrcRunlevels
    case .sysvinit: listing = ProbeCommand(["ls", "-1", "/etc/init.d"])
    case .none:
      section.notes.append(SwiftLiteral.comment(ServiceProbe.noManager(profile).message))
      return section
    }
    let output = try await output(listing)
    guard output.exitStatus == 0 else {
      throw .other("\(listing) failed: \(output.stderrText.trimmingWhitespace())")
    }
    var names: [String] = []
    for line in output.stdoutText.split(separator: "\n") {
      var name: String
      switch manager {
      case .systemd:
        name = String(line.split(whereSeparator: \.isWhitespace).first ?? "")
        // Templates (`getty@.service`) are no service of their own.
        guard name.hasSuffix(".service"), !name.contains("@.") else { continue }
        name = String(name.dropLast(".service".count))
      case .openrc:
        // `  sshd |      default`: every script, in a runlevel or not.
        let sides = line.split(separator: "|", omittingEmptySubsequences: false)
        guard sides.count == 2 else { continue }
        name = sides[0].trimmingWhitespace()
      default:
        name = line.trimmingWhitespace()
      }
      // The service probes only read what the init system recorded (OpenRC) or the pid files
      // (sysv-rc), never run a script; the runlevel machinery is still no service to write down.
      guard !Self.runlevelMachinery.contains(name), (try? ServiceProbe.checkName(name)) != nil,
        !names.contains(name)
      else { continue }
      names.append(name)
    }
    switch manager {
    case .openrc: section.notes.append("states as OpenRC recorded them (rc-status): no init script was run")
    case .sysvinit:
      section.notes.append(
        "running: a pid file named in the init script names a live process; no script was run")
    default: break
    }
    let found = await facts(names.map { ($0, Service($0).__chain.plan) }, as: ServiceFacts.self)
    var quiet = 0
    for (name, result) in found {
      guard case .success(let facts?) = result else { continue }
      // A service neither running nor started at boot says little about the host.
      guard facts.running || facts.enabled else {
        quiet += 1
        continue
      }
      section.lines.append(
        "Service(\(Literal.string(name)))" + (facts.running ? ".isRunning()" : ".isNotRunning()")
          + (facts.enabled ? ".isEnabled()" : ".isNotEnabled()"))
    }
    if quiet > 0 { section.notes.append("\(quiet) service(s) neither running nor enabled left out") }
    return section
  }

  func packages(_ selection: CaptureSelection) async throws(ProbeError) -> CapturedSection {
    var section = CapturedSection(title: "packages")
    var names = CaptureSelection.defaultPackages + selection.extraPackages
    if selection.allPackages { names = try await installedPackageNames() }
    let found = await facts(names.map { ($0, Package($0).__chain.plan) }, as: PackageFacts.self)
    for (name, result) in found {
      switch result {
      case .success(let facts?):
        section.lines.append(
          "Package(\(Literal.string(name))).isInstalled().version(\(Literal.string(facts.version)))")
      case .success(nil): continue
      case .failure(let error): throw error
      }
    }
    if !selection.allPackages {
      section.notes.append("only a named set of packages; `--only packages` captures every installed one")
    }
    return section
  }

  /// Every installed package's name, from the listing the package probe reads anyway.
  private func installedPackageNames() async throws(ProbeError) -> [String] {
    let listing: ProbeCommand =
      switch profile.family {
      case .debian: PackageProbe.dpkgListing
      case .rhel: ProbeCommand(["rpm", "-qa", "--qf", "%{NAME}\\n"])
      case .alpine: ProbeCommand(["cat", "/lib/apk/db/installed"])
      case .otherLinux: throw .other("no package probe for \(profile.osName)")
      }
    let output = try await output(listing)
    guard output.exitStatus == 0 else {
      throw .other("\(listing) failed: \(output.stderrText.trimmingWhitespace())")
    }
    var names: [String] = []
    var seen: Set<String> = []
    for line in output.stdoutText.split(separator: "\n") {
      let name: Substring? =
        switch profile.family {
        case .debian: line.split(separator: "\t").first
        case .alpine: line.hasPrefix("P:") ? line.dropFirst(2) : nil
        default: line
        }
      if let name, seen.insert(String(name)).inserted { names.append(String(name)) }
    }
    return names.sorted()
  }

  func users() async throws(ProbeError) -> [CapturedSection] {
    var users = CapturedSection(title: "users")
    var groups = CapturedSection(title: "groups")
    let userNames = try await databaseNames("passwd")
    for (name, result) in await facts(userNames.map { ($0, User($0).__chain.plan) }, as: UserFacts.self) {
      guard case .success(let facts?) = result else { continue }
      var line =
        "User(\(Literal.string(name))).exists().uid(\(facts.uid)).gid(\(facts.gid))"
        + ".home(\(Literal.string(facts.home))).shell(\(Literal.string(facts.shell)))"
      if !facts.groups.isEmpty {
        line += ".inGroups(" + facts.groups.map(Literal.string).joined(separator: ", ") + ")"
      }
      users.lines.append(line)
    }
    let groupNames = try await databaseNames("group")
    for (name, result) in await facts(groupNames.map { ($0, Group($0).__chain.plan) }, as: GroupFacts.self) {
      guard case .success(let facts?) = result else { continue }
      groups.lines.append("Group(\(Literal.string(name))).exists().gid(\(facts.gid))")
    }
    return [users, groups]
  }

  /// The names in an NSS database (`getent passwd`); their facts come from the account probe.
  private func databaseNames(_ database: String) async throws(ProbeError) -> [String] {
    let listing = ProbeCommand(["getent", database])
    let output = try await output(listing)
    guard output.exitStatus == 0 else {
      throw .other("\(listing) failed: \(output.stderrText.trimmingWhitespace())")
    }
    var names: [String] = []
    for line in output.stdoutText.split(separator: "\n") {
      if let name = line.split(separator: ":").first, !names.contains(String(name)) {
        names.append(String(name))
      }
    }
    return names
  }

  /// Owner, mode and digest of everything under `root`; never the content.
  func files(under root: String, limit: Int = 1000) async throws(ProbeError) -> CapturedSection {
    var section = CapturedSection(title: "files under \(root)")
    // `-xdev`: a folder that holds a mount (a network share) is not walked into.
    let listing = ProbeCommand(["find", root, "-xdev", "-print0"])
    let output = try await output(listing)
    guard output.exitStatus == 0 || !output.stdout.isEmpty else {
      section.notes.append(SwiftLiteral.comment("nothing found: \(output.stderrText.trimmingWhitespace())"))
      return section
    }
    if output.exitStatus != 0 {
      section.notes.append("some paths could not be read (run with --sudo to see them)")
    }
    var paths: [String] = []
    var undecodable = 0
    for name in output.stdout.split(separator: 0) {
      // A name that is not UTF-8 cannot be written in a Swift string: say so rather than alter it.
      guard let path = String(validating: name, as: UTF8.self) else {
        undecodable += 1
        continue
      }
      paths.append(path)
    }
    // Sorted, so two captures of the same folder compare line by line.
    paths.sort()
    if undecodable > 0 { section.notes.append("\(undecodable) path(s) that are not UTF-8 left out") }
    if paths.count > limit {
      section.notes.append("only the first \(limit) of \(paths.count) paths")
      paths = Array(paths.prefix(limit))
    }
    let stats = await facts(paths.map { ($0, FileProbe.plan($0)) }, as: FileFacts.self)
    var digests: [String: FileContent] = [:]
    var links: [String: FileContent] = [:]
    let files = stats.compactMap { entry -> String? in
      guard case .success(let facts?) = entry.facts, facts.kind == .file else { return nil }
      return entry.key
    }
    let symlinks = stats.compactMap { entry -> String? in
      guard case .success(let facts?) = entry.facts, facts.kind == .symlink else { return nil }
      return entry.key
    }
    for (path, result) in await facts(files.map { ($0, File.sha256Plan($0)) }, as: FileContent.self) {
      if case .success(let content?) = result { digests[path] = content }
    }
    for (path, result) in await facts(symlinks.map { ($0, File.linkPlan($0)) }, as: FileContent.self) {
      if case .success(let content?) = result { links[path] = content }
    }
    var unreadable = 0
    for (path, result) in stats {
      guard case .success(let facts?) = result else { continue }
      var line = "File(\(Literal.string(path)))"
      switch facts.kind {
      case .file:
        line += ".isFile().mode(\(Literal.octal(facts.mode)))"
      case .directory:
        line += ".isDirectory().mode(\(Literal.octal(facts.mode)))"
      case .symlink:
        // A link's own mode is always 0777: its target is what matters.
        line += ".isSymlink()"
        if let target = links[path]?.text { line += ".linksTo(\(Literal.string(target)))" }
      case .other:
        line += ".exists().mode(\(Literal.octal(facts.mode)))"
      }
      line += ".owner(\(Literal.string(facts.owner))).group(\(Literal.string(facts.group)))"
      if facts.kind == .file {
        if let digest = digests[path]?.text, digest.count == 64 {
          line += ".sha256(\(Literal.string(digest)))"
        } else {
          unreadable += 1
        }
      }
      section.lines.append(line)
    }
    if unreadable > 0 {
      section.notes.append("\(unreadable) file(s) whose digest could not be read (try --sudo)")
    }
    return section
  }

  func sysctls() async throws(ProbeError) -> CapturedSection {
    var section = CapturedSection(title: "sysctls")
    let keys = CaptureSelection.sysctls
    for (key, result) in await facts(keys.map { ($0, Sysctl($0).__chain.plan) }, as: String.self) {
      guard case .success(let value?) = result else { continue }
      section.lines.append("Sysctl(\(Literal.string(key))).value(\(Literal.string(Sysctl.normalize(value))))")
    }
    return section
  }

  /// The answers of every `nameserver` in `/etc/resolv.conf` to each name, A and AAAA.
  func dns(_ names: [String]) async throws(ProbeError) -> CapturedSection {
    var section = CapturedSection(title: "dns")
    let resolv = try await output(ProbeCommand(["cat", "/etc/resolv.conf"]))
    var servers: [String] = []
    for line in resolv.stdoutText.split(separator: "\n") {
      let words = line.split(whereSeparator: \.isWhitespace)
      // resolv.conf(5): `nameserver ADDRESS`; an IPv6 address may carry a `%zone` DNS cannot use.
      if words.count >= 2, words[0] == "nameserver", let address = IPAddress(String(words[1])) {
        servers.append(address.description)
      }
    }
    if servers.isEmpty { section.notes.append("/etc/resolv.conf names no nameserver") }
    var asked: [(key: String, plan: FactPlanner)] = []
    var statements: [String: String] = [:]
    for server in servers {
      for name in names {
        for (type, shown) in [(DNSRecordType.a, ".a"), (.aaaa, ".aaaa")] {
          let key = "\(server) \(name) \(shown)"
          asked.append((key, DNS(name, type, server: server).__chain.plan))
          statements[key] = "DNS(\(Literal.string(name)), \(shown), server: \(Literal.string(server)))"
        }
      }
    }
    for (key, result) in await facts(asked, as: DNSMessage.self) {
      guard let statement = statements[key] else { continue }
      switch result {
      case .success(let response?):
        let type: DNSRecordType = key.hasSuffix(".aaaa") ? .aaaa : .a
        switch response.responseCode {
        case .noError:
          let values = DNSAnswers.values(response, type).map(Literal.string).joined(separator: ", ")
          section.lines.append(statement + ".answers(\(values))")
        case .nameError: section.lines.append(statement + ".rcode(.nxDomain)")
        default:
          section.notes.append(SwiftLiteral.comment("\(key): answered \(response.responseCode), left out"))
        }
      case .success(nil): continue
      case .failure(let error): section.notes.append(SwiftLiteral.comment("\(key): \(error.message)"))
      }
    }
    return section
  }

  func mounts() async throws(ProbeError) -> CapturedSection {
    var section = CapturedSection(title: "mounts")
    let output = try await output(MountProbe.command)
    guard output.exitStatus == 0 else {
      throw .other("\(MountProbe.command) failed: \(output.stderrText.trimmingWhitespace())")
    }
    // The last entry for a path is the one on top, as `Mount` reads it.
    var top: [String: MountEntry] = [:]
    var order: [String] = []
    var left = 0
    for entry in MountProbe.parse(output.stdoutText) {
      guard !Self.isKernelMount(entry) else {
        left += 1
        continue
      }
      if top[entry.mountPoint] == nil { order.append(entry.mountPoint) }
      top[entry.mountPoint] = entry
    }
    for point in order {
      guard let entry = top[point] else { continue }
      var line =
        "Mount(\(Literal.string(point))).isMounted().filesystem(\(Literal.string(entry.filesystem)))"
        + ".device(\(Literal.string(entry.device)))"
      if entry.options.contains("ro") { line += ".hasOption(\"ro\")" }
      section.lines.append(line)
    }
    if left > 0 {
      section.notes.append("\(left) kernel and runtime mount(s) (/proc, /sys, /dev, /run) left out")
    }
    return section
  }

  /// Debian's scripts that switch runlevels or stop the machine: never services to ask.
  static let runlevelMachinery: Set<String> = [
    "halt", "killprocs", "rc", "rc.local", "rcS", "reboot", "sendsigs", "single", "umountfs", "umountnfs.sh",
    "umountroot",
  ]

  /// Mounts the kernel, the container runtime or the login session make, which come and go.
  static func isKernelMount(_ entry: MountEntry) -> Bool {
    let pseudo: Set<String> = [
      "proc", "sysfs", "cgroup", "cgroup2", "devpts", "devtmpfs", "mqueue", "debugfs", "tracefs",
      "securityfs", "pstore", "bpf", "configfs", "fusectl", "hugetlbfs", "autofs", "binfmt_misc", "nsfs",
      "efivarfs", "selinuxfs",
    ]
    let runtime = ["/proc", "/sys", "/dev", "/run"]
    return pseudo.contains(entry.filesystem)
      || runtime.contains { entry.mountPoint == $0 || entry.mountPoint.hasPrefix($0 + "/") }
  }
}
