@_spi(Runner) internal import InfraSpecCore
public import InfraSpecTransports
internal import InfraSpecDNS

/// How to reach and trust a host over SSH, on top of what the user's `~/.ssh/config` says.
public struct SSHOptions: Sendable {
  /// The client configuration to read; `nil` means `~/.ssh/config`.
  public var configFile: String?
  /// The known_hosts file to read and, with `acceptNewHostKeys`, write; `nil` means the
  /// configuration's `UserKnownHostsFile` or `~/.ssh/known_hosts`.
  public var knownHostsFile: String?
  /// Private keys tried before those the configuration names.
  public var identityFiles: [String] = []
  /// Trust a host seen for the first time and record its key (trust on first use).
  public var acceptNewHostKeys = false
  /// How long to wait for the TCP connection and for each of key exchange and authentication;
  /// `nil` means the configuration's `ConnectTimeout` or 10 seconds.
  public var connectTimeout: Duration?
  /// Runs every probe through sudo.
  public var sudo: SudoOptions?
  /// The environment that supplies `HOME`, `USER`, `SSH_AUTH_SOCK` and the `INFRASPEC_SSH_*`
  /// secrets; `nil` means this process's environment.
  public var environment: [String: String]?

  /// Options that defer to `~/.ssh/config` for everything.
  public init() {}
}
