internal import CLibSSH2
@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecSockets
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// Checking the server's host key against the known-hosts files (and trusting a new one when
/// the policy says so).
extension SSHConnection {
  func verifyHostKey(_ session: OpaquePointer, _ knownHosts: KnownHosts) throws(ProbeError) {
    var length = 0
    var type: Int32 = 0
    guard let raw = libssh2_session_hostkey(session, &length, &type) else {
      throw .connection("\(endpoint.displayName) sent no host key")
    }
    let key = raw.withMemoryRebound(to: UInt8.self, capacity: length) {
      Array(UnsafeBufferPointer(start: $0, count: length))
    }
    let keyType = KnownHosts.keyType(ofBlob: key) ?? "unknown"
    let name = endpoint.knownHostsName
    let fingerprint = KnownHosts.fingerprint(key)
    switch knownHosts.verify(name: name, keyType: keyType, key: key) {
    case .trusted:
      hostKeyType = keyType
      return
    case .revoked(let entry):
      throw .connection(KnownHosts.revokedMessage(name: name, entry: entry, fingerprint: fingerprint))
    case .changed(let entry):
      throw .connection(KnownHosts.changedMessage(name: name, entry: entry, fingerprint: fingerprint))
    case .unknown:
      let line = KnownHosts.line(name: name, keyType: keyType, key: key)
      if endpoint.hostKeyPolicy == .acceptNew {
        try KnownHosts.append(line, to: endpoint.knownHostsFileForNewKeys)
        hostKeyType = keyType
        warnings.append(
          "added the host key of \(name) (\(keyType) \(fingerprint)) to \(endpoint.knownHostsFileForNewKeys)")
        return
      }
      var message =
        "host key of \(name) is not known: \(keyType) \(fingerprint). Verify the fingerprint, then add this line to \(endpoint.knownHostsFileForNewKeys):\n\(line)\nor trust it on first use (acceptNewHostKeys, StrictHostKeyChecking accept-new)"
      if let authority = knownHosts.certificateAuthority(for: name) {
        message +=
          "\n\(authority.location): @cert-authority host certificates are not supported by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)"
      }
      for issue in knownHosts.issues { message += "\n\(issue)" }
      throw .connection(message)
    }
  }
}
