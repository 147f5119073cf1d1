@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials
internal import Glibc
internal import InfraSpecPlatform

/// Everything needed to open one SSH connection, resolved once from the target, the options and
/// the client configuration, so both transports and the tests see the same answer.
struct SSHEndpoint: Sendable {
  enum HostKeyPolicy: Sendable, Equatable {
    /// Refuse unknown keys.
    case strict
    /// Trust and record unknown keys; changed keys are still refused.
    case acceptNew
  }

  /// The name the user gave (a config alias, or the host itself).
  var alias: String
  /// The address to connect to.
  var address: String
  var port: UInt16
  var user: String
  /// The name looked up in known_hosts (`HostKeyAlias`, else the address), with the port.
  var knownHostsName: String
  var knownHostsFiles: [String]
  /// Where a newly trusted key is written.
  var knownHostsFileForNewKeys: String
  var hostKeyPolicy: HostKeyPolicy
  var identityFiles: [String]
  var useAgent: Bool
  var connectTimeout: Duration
  var proxyJump: String?
  var proxyCommand: String?
  var configFile: String?
  var environment: [String: String]
  var warnings: [String]

  init(target: SSHTarget, options: SSHOptions) throws(ProbeError) {
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    let home = environment["HOME"] ?? homeDirectory()
    let configPath = options.configFile.map { SSHConfig.expandTilde($0, home: home) } ?? home + "/.ssh/config"
    let settings = try SSHConfig(contentsOf: configPath).settings(for: target.host)
    let localUser = environment["USER"] ?? environment["LOGNAME"] ?? currentUserName()

    alias = target.host
    address = settings.hostName.map { $0.replacing("%h", with: target.host) } ?? target.host
    port = target.port ?? settings.port ?? 22
    user = target.user ?? settings.user ?? localUser
    knownHostsName = KnownHosts.name(host: settings.hostKeyAlias ?? address, port: port)
    configFile = FileManager.default.fileExists(atPath: configPath) ? configPath : nil
    self.environment = environment
    warnings = settings.warnings
    proxyJump = settings.proxyJump
    proxyCommand = settings.proxyCommand

    let (address, port, user) = (address, port, user)
    func expand(_ path: String) -> String {
      var result = ""
      var iterator = path.makeIterator()
      while let character = iterator.next() {
        guard character == "%", let token = iterator.next() else {
          result.append(character)
          continue
        }
        switch token {
        case "h": result += address
        case "p": result += String(port)
        case "r": result += user
        case "u": result += localUser
        case "d": result += home
        case "n": result += target.host
        case "%": result += "%"
        default: result += "%" + String(token)
        }
      }
      return SSHConfig.expandTilde(result, home: home)
    }

    if let file = options.knownHostsFile {
      knownHostsFiles = [expand(file)]
    } else {
      let user = settings.userKnownHostsFiles ?? ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"]
      let global =
        settings.globalKnownHostsFiles ?? ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]
      knownHostsFiles = (user + global).filter { $0.lowercased() != "none" }.map(expand)
    }
    knownHostsFileForNewKeys = knownHostsFiles.first ?? expand("~/.ssh/known_hosts")

    switch settings.strictHostKeyChecking {
    case nil, "yes", "ask": hostKeyPolicy = .strict
    case "accept-new", "no", "off": hostKeyPolicy = .acceptNew
    case let other?:
      hostKeyPolicy = .strict
      warnings.append("StrictHostKeyChecking \(other) is not understood; treated as yes")
    }
    if options.acceptNewHostKeys { hostKeyPolicy = .acceptNew }

    let configured = options.identityFiles + settings.identityFiles
    if configured.isEmpty {
      identityFiles = ["~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"].map(expand)
    } else {
      identityFiles = configured.map(expand)
    }
    useAgent = settings.identitiesOnly != true
    connectTimeout = options.connectTimeout ?? settings.connectTimeout ?? .seconds(10)
  }

  /// The target as messages name it: `user@host:port`.
  var displayName: String {
    "\(user)@\(address.contains(":") ? "[\(address)]" : address)" + (port == 22 ? "" : ":\(port)")
  }
}
