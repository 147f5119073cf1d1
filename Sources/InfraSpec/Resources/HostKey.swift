@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// One of the host's SSH host keys, by type, read from its public key file.
///
///     HostKey(.ed25519).fingerprint("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s")
public struct HostKey: Resource {
  /// The key types sshd keeps in `/etc/ssh/ssh_host_TYPE_key.pub`.
  public enum KeyType: String, Sendable {
    /// The SSH host key types.
    case ed25519, ecdsa, rsa
  }

  public var __chain: __ResourceChain

  /// `directory` holds the `ssh_host_TYPE_key.pub` files.
  public init(_ type: KeyType, directory: String = "/etc/ssh") {
    let path = "\(directory)/ssh_host_\(type.rawValue)_key.pub"
    __chain = __ResourceChain(subject: "host key \(path)", plan: HostSecurityProbe.fingerprint(path))
  }

  /// The key's SHA-256 fingerprint, as `ssh-keygen -l` and known_hosts tooling print it.
  public func fingerprint(
    _ expected: String, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    adding("fingerprint", expected: expected, file: file, line: line, column: column) { (actual: String) in
      expectEqual(expected, actual)
    }
  }
}
