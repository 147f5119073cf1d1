@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import CLibSSH2
internal import FoundationEssentials
internal import Glibc

/// Logs in the way OpenSSH would: key files, then ssh-agent, then a password from the
/// environment; the error lists every attempt so the user sees why each one failed.
struct SSHAuthenticator {
  let session: OpaquePointer
  let endpoint: SSHEndpoint
  /// Waits until the socket is ready again, or throws when the deadline passed.
  let wait: () throws(ProbeError) -> Void

  private static let rsaNote = "libssh2 1.10 cannot sign with RSA keys (no rsa-sha2-256/512)"

  func authenticate() throws(ProbeError) {
    let user = endpoint.user
    var methods: [String] = []
    while true {
      if let list = infraspec_libssh2_userauth_list(session, user) {
        methods = String(cString: list).split(separator: ",").map(String.init)
        break
      }
      if libssh2_userauth_authenticated(session) != 0 { return }
      guard libssh2_session_last_errno(session) == LIBSSH2_ERROR_EAGAIN else {
        throw .connection("\(endpoint.displayName) closed the connection before authentication")
      }
      try wait()
    }

    var attempts: [String] = []
    if methods.contains("publickey") {
      for path in endpoint.identityFiles where FileManager.default.fileExists(atPath: path) {
        if try authenticate(withKeyFile: path, attempts: &attempts) { return }
      }
      if endpoint.useAgent, let socket = endpoint.environment["SSH_AUTH_SOCK"], !socket.isEmpty {
        if try authenticateWithAgent(socket: socket, attempts: &attempts) { return }
      }
    }
    if let password = endpoint.environment["INFRASPEC_SSH_PASSWORD"], !password.isEmpty {
      if methods.contains("password") {
        let status = try retry { infraspec_libssh2_userauth_password(session, user, password) }
        if status == 0 { return }
        attempts.append("password from INFRASPEC_SSH_PASSWORD: rejected by the server")
      } else {
        attempts.append("password from INFRASPEC_SSH_PASSWORD: the server does not accept passwords")
      }
    }
    if attempts.isEmpty {
      attempts.append(
        "no key file (\(endpoint.identityFiles.map { $0.lastPathPart }.joined(separator: ", "))), no ssh-agent (SSH_AUTH_SOCK) and no INFRASPEC_SSH_PASSWORD"
      )
    }
    var message =
      "authentication as \(user) on \(endpoint.displayName) failed (the server accepts: \(methods.joined(separator: ", "))); tried:"
    for attempt in attempts { message += "\n  - \(attempt)" }
    if attempts.contains(where: { $0.contains(Self.rsaNote) }) {
      message += "\nuse an ed25519 or ECDSA key, or the OpenSSH client (--ssh-client openssh)"
    }
    throw .connection(message)
  }

  private func authenticate(withKeyFile path: String, attempts: inout [String]) throws(ProbeError) -> Bool {
    let key = PrivateKeyFile(path: path)
    if key.keyType == "ssh-rsa" {
      attempts.append("\(path): RSA key skipped: \(Self.rsaNote)")
      return false
    }
    let passphrase = endpoint.environment["INFRASPEC_SSH_PASSPHRASE"]
    if key.isEncrypted && (passphrase ?? "").isEmpty {
      attempts.append("\(path): encrypted; set INFRASPEC_SSH_PASSPHRASE")
      return false
    }
    let publicKey = path + ".pub"
    let hasPublicKey = FileManager.default.fileExists(atPath: publicKey)
    let status = try retry {
      infraspec_libssh2_userauth_publickey_fromfile(
        session, endpoint.user, hasPublicKey ? publicKey : nil, path, key.isEncrypted ? passphrase : nil)
    }
    if status == 0 { return true }
    let unreadable = status == LIBSSH2_ERROR_FILE || status == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED
    let why =
      if unreadable && key.isEncrypted {
        "cannot be decrypted (wrong INFRASPEC_SSH_PASSPHRASE?)"
      } else if unreadable {
        "cannot be read, or does not match its .pub file"
      } else {
        "rejected by the server"
      }
    attempts.append("\(path) (\(key.keyType ?? "unknown type")): \(why)")
    return false
  }

  private func authenticateWithAgent(socket: String, attempts: inout [String]) throws(ProbeError) -> Bool {
    guard let agent = libssh2_agent_init(session) else { return false }
    defer {
      _ = libssh2_agent_disconnect(agent)
      libssh2_agent_free(agent)
    }
    libssh2_agent_set_identity_path(agent, socket)
    guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else {
      attempts.append("ssh-agent at SSH_AUTH_SOCK: cannot connect or list keys")
      return false
    }
    var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
    var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
    var offered = 0
    while libssh2_agent_get_identity(agent, &identity, previous) == 0, let current = identity {
      previous = current
      offered += 1
      let blob = Array(UnsafeBufferPointer(start: current.pointee.blob, count: current.pointee.blob_len))
      let keyType = KnownHosts.keyType(ofBlob: blob) ?? "unknown type"
      let comment = current.pointee.comment.map { String(cString: $0) } ?? ""
      if keyType == "ssh-rsa" {
        attempts.append("ssh-agent key \(comment): RSA key skipped: \(Self.rsaNote)")
        continue
      }
      let status = try retry { libssh2_agent_userauth(agent, endpoint.user, current) }
      if status == 0 { return true }
      attempts.append("ssh-agent key \(comment) (\(keyType)): rejected by the server")
    }
    if offered == 0 { attempts.append("ssh-agent at SSH_AUTH_SOCK: holds no keys") }
    return false
  }

  private func retry(_ body: () -> Int32) throws(ProbeError) -> Int32 {
    while true {
      let status = body()
      if status != LIBSSH2_ERROR_EAGAIN { return status }
      try wait()
    }
  }
}
