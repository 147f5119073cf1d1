internal import CLibSSH2
@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecSockets
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// Dialling the server, the key exchange and authentication, within the connect timeout.
extension SSHConnection {
  func connect() -> Result<Void, ProbeError> {
    do throws(ProbeError) {
      let name = endpoint.displayName
      guard Self.libraryStatus == 0 else { throw .connection("libssh2 failed to initialise") }
      if let jump = endpoint.proxyJump {
        throw .connection(
          "\(name): ProxyJump \(jump) from the SSH config cannot be honoured by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)"
        )
      }
      if endpoint.proxyCommand != nil {
        throw .connection(
          "\(name): ProxyCommand from the SSH config cannot be honoured by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)"
        )
      }
      warnings = endpoint.warnings
      socketDescriptor = try openSocket(deadline: .now + endpoint.connectTimeout)
      guard let session = infraspec_libssh2_session_init() else {
        throw .connection("libssh2 could not create a session")
      }
      self.session = session
      libssh2_session_set_blocking(session, 0)
      let knownHosts = KnownHosts(paths: endpoint.knownHostsFiles)
      warnings += knownHosts.issues
      let keyTypes = knownHosts.preferredKeyTypes(for: endpoint.knownHostsName)
      _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, keyTypes.joined(separator: ","))

      var deadline = ContinuousClock.now + endpoint.connectTimeout
      let status = try retry(deadline, "the SSH key exchange") {
        libssh2_session_handshake(session, socketDescriptor)
      }
      if status != 0 { throw handshakeError(status, keyTypes: keyTypes) }
      try verifyHostKey(session, knownHosts)
      deadline = .now + endpoint.connectTimeout
      let wait: () throws(ProbeError) -> Void = { [self] () throws(ProbeError) in
        try self.wait(deadline, "authentication")
      }
      try SSHAuthenticator(session: session, endpoint: endpoint, wait: wait).authenticate()
      return .success(())
    } catch {
      return .failure(error)
    }
  }

  func handshakeError(_ status: Int32, keyTypes: [String]) -> ProbeError {
    let name = endpoint.displayName
    let detail = lastErrorMessage()
    if status == LIBSSH2_ERROR_KEX_FAILURE || status == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED {
      if keyTypes == ["ssh-rsa"] {
        return .connection(
          "\(name) is known only by an RSA host key, and libssh2 1.10 cannot verify rsa-sha2-256/512 host keys: use the OpenSSH client (--ssh-client openssh)"
        )
      }
      return .connection(
        "key exchange with \(name) failed (\(detail)): it offers none of the host key types \(keyTypes.joined(separator: ", ")). libssh2 1.10 cannot use RSA host keys (no rsa-sha2-256/512); for an RSA-only host use the OpenSSH client (--ssh-client openssh)"
      )
    }
    return .connection("SSH handshake with \(name) failed: \(detail)")
  }

  /// Calls `body` until libssh2 stops saying EAGAIN, waiting for the socket in between.
  func retry(_ deadline: ContinuousClock.Instant, _ what: String, _ body: () -> Int32)
    throws(ProbeError) -> Int32
  {
    while true {
      let status = body()
      if status != LIBSSH2_ERROR_EAGAIN { return status }
      try wait(deadline, what)
    }
  }

  func wait(_ deadline: ContinuousClock.Instant, _ what: String) throws(ProbeError) {
    guard let session else { return }
    let now = ContinuousClock.now
    if now >= deadline {
      throw .connection(
        "timed out after \(endpoint.connectTimeout.formatted) waiting for \(what) with \(endpoint.displayName)"
      )
    }
    var descriptor = pollfd(fd: socketDescriptor, events: events(for: session, reading: false), revents: 0)
    if descriptor.events == 0 { descriptor.events = Int16(POLLIN) }
    _ = poll(&descriptor, 1, Int32(milliseconds(from: now, to: deadline)))
  }

  func openSocket(deadline: ContinuousClock.Instant) throws(ProbeError) -> Int32 {
    let (host, port, timeout) = (endpoint.address, endpoint.port, endpoint.connectTimeout)
    do {
      return try TCPDialler.dial(host: host, port: port, deadline: deadline)
    } catch {
      throw Self.dialError(error, host: host, port: port, timeout: timeout)
    }
  }

  /// The words of a failed dial to `host:port` within `timeout`.
  static func dialError(_ failure: TCPDialler.Failure, host: String, port: UInt16, timeout: Duration)
    -> ProbeError
  {
    let name = "\(host.contains(":") ? "[\(host)]" : host):\(port)"
    switch failure {
    case .resolveTimedOut: return .connection("cannot resolve \(host): no answer within \(timeout.formatted)")
    case .resolve(let message): return .connection("cannot resolve \(host): \(message)")
    case .timedOut: return .connection("cannot connect to \(name): timed out after \(timeout.formatted)")
    case .socket, .connect: return .connection("cannot connect to \(name): \(failure.detail)")
    }
  }
}
