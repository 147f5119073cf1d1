@_spi(Runner) public import InfraSpecCore

/// Where probes run: this machine, a host over SSH, or recorded output in unit tests.
///
/// Transports only execute; they never decide pass or fail. All commands InfraSpec sends are
/// read-only, and a transport must not add any that change the host.
public protocol Transport: Sendable {
  /// The host as reports name it ("localhost", "lax1").
  var hostName: String { get }

  /// Runs one command; kills it (on the host) when `timeout` passes and throws `.timedOut`.
  func run(_ command: ProbeCommand, timeout: Duration) async throws(ProbeError) -> CommandOutput

  /// Runs many independent commands, each with `timeout`, reporting each result as it completes.
  ///
  /// The default runs them concurrently through `run`; remote transports batch them into one
  /// round trip (one script, one exec) because one exec per probe is what makes the peers slow.
  func runAll(_ commands: [ProbeCommand], timeout: Duration)
    -> AsyncStream<(ProbeCommand, Result<CommandOutput, ProbeError>)>

  /// Releases the connection; later calls throw `.connection`.
  func close() async
}
