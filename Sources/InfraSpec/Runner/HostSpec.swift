@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A host the command line or inventory named: how reports call it, where to connect, its groups.
@_spi(Runner)
public struct HostSpec: Sendable, Codable, Equatable {
  /// The name in reports: the inventory name, or the `--host` text.
  public var name: String
  /// `user@host:port`, `ssh://…` or a `~/.ssh/config` alias.
  public var destination: String
  /// Inventory groups, always including `all`.
  public var groups: [String]
  /// The inventory's `ansible_ssh_private_key_file`, tried before the command line's keys.
  public var identityFile: String?

  public init(name: String, destination: String, groups: [String], identityFile: String? = nil) {
    self.name = name
    self.destination = destination
    self.groups = groups
    self.identityFile = identityFile
  }

  /// An inventory host: `ansible_host`, `ansible_user`, `ansible_port` make the destination.
  public init(_ host: Inventory.Host) {
    let address = host.address.contains(":") ? "[\(host.address)]" : host.address
    self.init(
      name: host.name,
      destination: (host.user.map { "\($0)@" } ?? "") + address + (host.port.map { ":\($0)" } ?? ""),
      groups: host.groups.sorted(), identityFile: host.variables["ansible_ssh_private_key_file"])
  }

  /// The hosts of shard `index` (1-based) of `count`: sorted by name and dealt round-robin, so
  /// every shard of a CI matrix gets its share and the same inventory always splits the same way.
  public static func shard(_ hosts: [HostSpec], index: Int, of count: Int) -> [HostSpec] {
    hosts.sorted { $0.name < $1.name }.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
  }
}

/// How to reach remote hosts; the command line's SSH options.
@_spi(Runner)
public struct RemoteOptions: Sendable, Codable, Equatable {
  /// Which SSH implementation carries the probes.
  public enum Client: String, Sendable, Codable, CaseIterable {
    /// libssh2 in process: fastest; ed25519 and ECDSA keys and host keys.
    case libssh2
    /// The system `ssh` with a ControlMaster: RSA, certificates, ProxyJump chains.
    case openssh
  }

  public var client: Client = .libssh2
  public var configFile: String?
  public var knownHostsFile: String?
  public var identityFiles: [String] = []
  public var acceptNewHostKeys = false
  public var connectTimeoutSeconds: Double?
  public var sudo = false
  public var sudoUser: String?

  public init() {}
}
