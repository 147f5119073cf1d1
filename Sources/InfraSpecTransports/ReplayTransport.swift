@_spi(Runner) public import InfraSpecCore

/// Answers probes from recorded output: the test double for probe sets of OS families this
/// machine is not (RHEL, Alpine), fed with output recorded on real hosts.
public struct ReplayTransport: Transport {
  public let hostName: String
  let recordings: [ProbeCommand: Result<CommandOutput, ProbeError>]

  /// `recordings` maps each command to what the real host answered.
  public init(hostName: String, recordings: [ProbeCommand: Result<CommandOutput, ProbeError>]) {
    self.hostName = hostName
    self.recordings = recordings
  }

  public func run(_ command: ProbeCommand, timeout: Duration) async throws(ProbeError) -> CommandOutput {
    guard let recorded = recordings[command] else {
      throw .other("no recording for \(command)")
    }
    return try recorded.get()
  }

  public func runAll(_ commands: [ProbeCommand], timeout: Duration)
    -> AsyncStream<(ProbeCommand, Result<CommandOutput, ProbeError>)>
  {
    runConcurrently(commands, timeout: timeout, limit: 1)
  }

  public func close() async {}
}
