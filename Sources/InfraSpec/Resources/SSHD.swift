@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// The SSH server's effective configuration, as `sshd -T` prints it after every `Include` and
/// default is applied.
///
///     SSHD().setting("passwordauthentication", "no").setting("permitrootlogin", "prohibit-password")
public struct SSHD: Resource {
  public var __chain: __ResourceChain

  /// `config` is the sshd_config to evaluate (default: the server's own).
  public init(config: String? = nil) {
    __chain = __ResourceChain(
      subject: "sshd" + (config.map { " \($0)" } ?? ""), plan: HostSecurityProbe.sshd(config: config))
  }

  /// The setting's value (several values of a repeated setting joined by ", "); names and
  /// values compare case-insensitively, as sshd reads most of them.
  public func setting(
    _ name: String, _ value: String, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let key = name.lowercased()
    return adding(key, expected: value, title: "\(key) \(value)", file: file, line: line, column: column) {
      (settings: [String: [String]]) in
      guard let values = settings[key] else { return .fail(expected: value, actual: "no such setting") }
      let actual = values.joined(separator: ", ")
      return actual.lowercased() == value.lowercased() ? .pass : .fail(expected: value, actual: actual)
    }
  }
}
