internal import CLibSSH2
@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecSockets
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// Opening, starting, closing and freeing channels (`exec` sessions and `direct-tcpip` streams),
/// and what a failed channel does to its operation or to the session.
extension SSHConnection {
  func step(_ operation: SSHChannelOperation) -> Bool {
    guard let session else { return false }
    switch operation.state {
    case .waitingToOpen:
      if let outcome = operation.outcome {
        finish(operation, .failure(outcome))
        return true
      }
      guard openOwner == nil, channelsInUse < Self.maximumChannels else { return false }
      if let retry = operation.retryOpenAt, retry > .now { return false }
      openOwner = operation
      operation.state = .opening
      operation.openAttempts += 1
      if let openTimeout = operation.openTimeout, operation.openAttempts == 1 {
        operation.deadline = .now + openTimeout
      }
      return stepOpen(operation, session)
    case .opening:
      return stepOpen(operation, session)
    case .starting:
      guard case .exec(let command) = operation.kind, let channel = operation.channel else { return false }
      let status = infraspec_libssh2_channel_exec(channel, command)
      if status == LIBSSH2_ERROR_EAGAIN { return false }
      if status < 0 { return channelError(operation, status, "starting the remote shell") }
      operation.state = .running
      return true
    case .running:
      return stepRunning(operation)
    case .closing:
      guard let channel = operation.channel else { return false }
      let status = libssh2_channel_close(channel)
      if status == LIBSSH2_ERROR_EAGAIN { return false }
      if status < 0 && isSessionFatal(status) {
        sessionFailed(lostMessage(while: "closing a channel"))
        return true
      }
      operation.state = status < 0 ? .freeing : .waitingClosed
      return true
    case .waitingClosed:
      guard let channel = operation.channel else { return false }
      let status = libssh2_channel_wait_closed(channel)
      if status == LIBSSH2_ERROR_EAGAIN { return false }
      operation.state = .freeing
      return true
    case .freeing:
      guard let channel = operation.channel else { return false }
      let exitStatus = libssh2_channel_get_exit_status(channel)
      let status = libssh2_channel_free(channel)
      if status == LIBSSH2_ERROR_EAGAIN { return false }
      operation.channel = nil
      channelsInUse -= 1
      // A channel slot is free again: whoever waited for one may try now.
      for waiting in operations where waiting.state == .waitingToOpen { waiting.retryOpenAt = nil }
      finish(operation, operation.outcome.map { .failure($0) } ?? .success(exitStatus))
      return true
    case .done:
      return false
    }
  }

  func stepOpen(_ operation: SSHChannelOperation, _ session: OpaquePointer) -> Bool {
    let channel: OpaquePointer?
    switch operation.kind {
    case .exec: channel = infraspec_libssh2_channel_open_session(session)
    case .directTCPIP(let host, let port):
      channel = infraspec_libssh2_channel_direct_tcpip(session, host, Int32(port))
    }
    if let channel {
      openOwner = nil
      operation.channel = channel
      channelsInUse += 1
      if operation.isExec { sessionChannelsOpened += 1 }
      if operation.outcome != nil {
        operation.state = .closing
      } else if operation.isExec {
        operation.state = .starting
      } else {
        operation.state = .running
        operation.onOpen(.success(()))
      }
      return true
    }
    let code = libssh2_session_last_errno(session)
    if code == LIBSSH2_ERROR_EAGAIN { return false }
    openOwner = nil
    if code == LIBSSH2_ERROR_CHANNEL_FAILURE, operation.isExec, operation.outcome == nil {
      // The server's MaxSessions is reached: back-pressure, not an error. Retry when one of our
      // channels closes. If no session channel ever opened on this connection, a few quick
      // refusals mean none will (MaxSessions 0): say so at once instead of retrying for long.
      // Once one has opened, the server may just not have freed a closed one yet.
      let refusals = sessionChannelsOpened == 0 ? Self.refusalsWithNoChannelOpen : 100
      if channelsInUse == 0 && operation.openAttempts >= refusals {
        finish(
          operation,
          .failure(
            .connection("\(endpoint.displayName) refuses to open any session channel (sshd MaxSessions 0?)")))
        return true
      }
      operation.state = .waitingToOpen
      operation.retryOpenAt = .now + .milliseconds(20 * min(operation.openAttempts, 10))
      return true
    }
    if isSessionFatal(code) {
      sessionFailed(lostMessage(while: "opening a channel"))
      return true
    }
    let detail: String
    if case .directTCPIP(let host, let port) = operation.kind {
      detail =
        "\(endpoint.displayName) could not open a TCP connection to \(host):\(port) for InfraSpec (\(lastErrorMessage())); AllowTcpForwarding may be off"
    } else {
      detail = "\(endpoint.displayName) refused a session channel: \(lastErrorMessage())"
    }
    operation.onOpen(.failure(.connection(detail)))
    finish(operation, .failure(operation.outcome ?? .connection(detail)))
    return true
  }

  func channelError(_ operation: SSHChannelOperation, _ code: Int32, _ what: String) -> Bool {
    if isSessionFatal(code) {
      sessionFailed(lostMessage(while: what))
      return true
    }
    operation.outcome =
      operation.outcome
      ?? .connection("SSH channel to \(endpoint.displayName) failed while \(what): \(lastErrorMessage())")
    operation.state = .closing
    return true
  }

  func finish(_ operation: SSHChannelOperation, _ result: Result<Int32, ProbeError>) {
    guard operation.state != .done else { return }
    operation.state = .done
    if openOwner === operation { openOwner = nil }
    operation.onFinish(result)
    operation.onOpen = { _ in }
    operation.onStdout = { _ in }
    operation.onStderr = { _ in }
    operation.onFinish = { _ in }
    operation.isPaused = { false }
  }

  func sessionFailed(_ message: String) {
    let error = ProbeError.connection(message)
    failure = error
    for operation in operations {
      if operation.state == .opening || operation.state == .waitingToOpen {
        operation.onOpen(.failure(error))
      }
      finish(operation, .failure(error))
    }
    operations = []
  }

  func lostMessage(while what: String) -> String {
    "connection to \(endpoint.displayName) lost while \(what): \(lastErrorMessage())"
  }
}
