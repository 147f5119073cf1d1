@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS

/// What `SSHConfig` says about one host; `nil` means the configuration is silent.
struct SSHHostSettings: Equatable {
  var hostName: String?
  var user: String?
  var port: UInt16?
  var identityFiles: [String] = []
  var identitiesOnly: Bool?
  var userKnownHostsFiles: [String]?
  var globalKnownHostsFiles: [String]?
  var strictHostKeyChecking: String?
  var connectTimeout: Duration?
  var hostKeyAlias: String?
  var proxyJump: String?
  var proxyCommand: String?
  var warnings: [String] = []
}
