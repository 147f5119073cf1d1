public import ArgumentParser
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports
internal import InfraSpecPlatform

/// Which hosts, and how to reach them over SSH.
struct HostOptions: ParsableArguments {
  @Option(
    name: .customLong("host"),
    help: "Check this host over SSH: user@host[:port], ssh://…, or a ~/.ssh/config alias (repeatable).")
  var hosts: [String] = []

  @Option(help: "Ansible INI inventory of hosts to check.")
  var inventory: String?

  @Option(
    help: "Only inventory hosts matching this pattern: groups or host globs, ',' separated, '!x' excludes.")
  var limit: String?

  @Option(help: "Check only shard K of N (K/N) of the hosts, for a CI matrix; merge the JSON reports after.")
  var shard: String?

  @Option(help: "Hosts checked at once.")
  var jobs: Int = 16

  @Option(
    name: .customLong("ssh-client"),
    help: "libssh2 (default, fastest) or openssh (RSA keys, certificates, ProxyJump).")
  var sshClient: RemoteOptions.Client = .libssh2

  @Option(
    name: .customLong("ssh-config"), help: "OpenSSH client configuration to read instead of ~/.ssh/config.")
  var sshConfig: String?

  @Option(name: .customLong("known-hosts"), help: "known_hosts file to verify host keys against.")
  var knownHosts: String?

  @Option(name: [.customShort("i"), .customLong("identity")], help: "Private key to try first (repeatable).")
  var identities: [String] = []

  @Flag(
    name: .customLong("accept-new-host-keys"),
    help: "Trust hosts seen for the first time and record their keys.")
  var acceptNewHostKeys = false

  @Option(
    name: .customLong("connect-timeout"), help: "Seconds to wait for a host to connect and authenticate.")
  var connectTimeout: Double?

  @Flag(help: "Run probes through sudo (password from INFRASPEC_SUDO_PASSWORD when needed).")
  var sudo = false

  @Option(name: .customLong("sudo-user"), help: "Run probes as this user through sudo.")
  var sudoUser: String?

  func validate() throws {
    guard (1...1024).contains(jobs) else { throw ValidationError("--jobs must be 1 to 1024") }
    if limit != nil && inventory == nil {
      throw ValidationError("--limit selects inventory hosts: give --inventory too")
    }
    if let shard { _ = try Self.parseShard(shard) }
    if let connectTimeout, connectTimeout <= 0 { throw ValidationError("--connect-timeout must be positive") }
  }

  static func parseShard(_ text: String) throws -> (index: Int, count: Int) {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
      (1...count).contains(index)
    else {
      throw ValidationError("--shard takes K/N with 1 <= K <= N, e.g. --shard 2/8")
    }
    return (index, count)
  }

  /// Fills the request's hosts and SSH options; usage errors name the inventory line.
  func apply(to request: inout RunRequest) throws {
    var specs = hosts.map { HostSpec(name: $0, destination: $0, groups: ["all"]) }
    if let inventory {
      let text: String
      do {
        text = try String(contentsOfFile: inventory, encoding: .utf8)
      } catch {
        throw Failure.exit("cannot read inventory \(inventory): \(reason(of: error))")
      }
      do {
        let parsed = try Inventory.parse(text)
        let selected = limit.map { parsed.limited(to: $0) } ?? parsed.hosts
        if selected.isEmpty { throw ValidationError("no inventory host matches \(limit ?? "the inventory")") }
        specs += selected.map(HostSpec.init)
      } catch let error as Inventory.ParseError {
        throw ValidationError("\(inventory):\(error.line): \(error.message)")
      }
    }
    var seen: Set<String> = []
    for spec in specs where !seen.insert(spec.name).inserted {
      throw ValidationError("host \(spec.name) is named twice")
    }
    if let shard {
      let (index, count) = try Self.parseShard(shard)
      specs = HostSpec.shard(specs, index: index, of: count)
    }
    request.hosts = specs
    request.jobs = jobs
    request.remote.client = sshClient
    request.remote.configFile = sshConfig
    request.remote.knownHostsFile = knownHosts
    request.remote.identityFiles = identities
    request.remote.acceptNewHostKeys = acceptNewHostKeys
    request.remote.connectTimeoutSeconds = connectTimeout
    request.remote.sudo = sudo || sudoUser != nil
    request.remote.sudoUser = sudoUser
  }
}

extension RemoteOptions.Client: ExpressibleByArgument {}
