internal import CLibSSH2
@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecSockets
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// Moving bytes on a running channel: input written, EOF sent after it, stdout and stderr read
/// in one pass.
extension SSHConnection {
  /// How much one step reads from one stream of a channel before the loop looks elsewhere.
  static let readBudget = 1 << 20

  func stepRunning(_ operation: SSHChannelOperation) -> Bool {
    guard let channel = operation.channel else { return false }
    if operation.outcome != nil {
      operation.state = .closing
      return true
    }
    var progressed = false
    while operation.inputOffset < operation.input.count {
      let written = operation.input.withUnsafeBufferPointer { bytes in
        bytes.baseAddress!.advanced(by: operation.inputOffset).withMemoryRebound(to: CChar.self, capacity: 1)
        {
          infraspec_libssh2_channel_write(channel, $0, operation.input.count - operation.inputOffset)
        }
      }
      if written == LIBSSH2_ERROR_EAGAIN { break }
      if written < 0 { return channelError(operation, Int32(written), "sending data") }
      operation.inputOffset += written
      progressed = true
    }
    if operation.isExec && !operation.keepsInputOpen && !operation.eofSent
      && operation.inputOffset == operation.input.count
    {
      let status = libssh2_channel_send_eof(channel)
      if status == 0 {
        operation.eofSent = true
        operation.input = []
        operation.inputOffset = 0
        progressed = true
      } else if status != LIBSSH2_ERROR_EAGAIN {
        return channelError(operation, status, "closing the remote shell's input")
      }
    }
    var ended = [false, false]
    // A reader that is behind (a stream nobody receives from yet) is not read for: the channel's
    // window fills and the far side waits, so a 1 GiB body does not pile up in memory.
    let paused = operation.isPaused()
    for stream in 0..<2 where !paused {
      // A fast sender must not keep this step (and the connection's loop) reading for ever: after
      // the budget the other channels and the inbox (a close, more input) get their turn.
      var budget = Self.readBudget
      while budget > 0 {
        let count = buffer.withUnsafeMutableBufferPointer { bytes in
          stream == 0
            ? infraspec_libssh2_channel_read(channel, bytes.baseAddress, bytes.count)
            : infraspec_libssh2_channel_read_stderr(channel, bytes.baseAddress, bytes.count)
        }
        if count > 0 {
          let bytes = buffer.withUnsafeBytes { Array($0.prefix(count)) }
          if stream == 0 { operation.onStdout(bytes) } else { operation.onStderr(bytes) }
          progressed = true
          budget -= count
          continue
        }
        if count == 0 {
          ended[stream] = libssh2_channel_eof(channel) != 0
        } else if count != LIBSSH2_ERROR_EAGAIN {
          return channelError(operation, Int32(count), "reading output")
        }
        break
      }
    }
    if ended[0] && ended[1] || operation.outcome != nil || operation.isSatisfied {
      operation.state = .closing
      return true
    }
    return progressed
  }
}
