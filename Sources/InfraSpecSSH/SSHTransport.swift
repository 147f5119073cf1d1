@_spi(Runner) public import InfraSpecCore
public import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials
internal import Glibc

/// Runs probes on a host over SSH with libssh2, batching each `runAll` into one remote script.
public final class SSHTransport: Transport {
  /// The host as the target names it.
  public let hostName: String
  /// Things the user should know that did not stop the connection (ignored config, a key added to known_hosts).
  public let warnings: [String]
  let connection: SSHConnection
  let sudo: SudoOptions?

  /// Connects to `target` (`user@host:port`, `ssh://…`, or a `~/.ssh/config` alias), verifies its
  /// host key and logs in.
  public init(target: String, options: SSHOptions = SSHOptions()) async throws(ProbeError) {
    let parsed = try SSHTarget(target)
    let endpoint = try SSHEndpoint(target: parsed, options: options)
    connection = try await SSHConnection.open(endpoint)
    hostName = parsed.host
    warnings = connection.warnings
    sudo = options.sudo
  }

  /// Runs `command` in its own exec, killed on the host at `timeout`.
  public func run(_ command: ProbeCommand, timeout: Duration) async throws(ProbeError) -> CommandOutput {
    let slot = ResultSlot<Result<CommandOutput, ProbeError>>()
    let operation = batch([command], timeout: timeout) { _, result, _ in slot.fill(result) }
    let result = await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        slot.onFill { continuation.resume(returning: $0) }
        connection.submit(operation)
      }
    } onCancel: {
      connection.cancel(operation, with: .other("cancelled"))
    }
    return try result.get()
  }

  /// Runs all `commands` in one exec of one script; results arrive as each probe ends.
  public func runAll(_ commands: [ProbeCommand], timeout: Duration)
    -> AsyncStream<(ProbeCommand, Result<CommandOutput, ProbeError>)>
  {
    BatchCollector.stream(commands) { [connection] deliver in
      let operation = batch(commands, timeout: timeout, deliver: deliver)
      connection.submit(operation)
      return { connection.cancel(operation, with: .other("cancelled")) }
    }
  }

  /// Ends the session; later calls throw `.connection`.
  public func close() async {
    await connection.close()
  }

  /// Opens a TCP connection from the host to `host:port` (a `direct-tcpip` channel), e.g. to ask
  /// the host's own DNS resolver over TCP.
  public func openTCPStream(host: String, port: UInt16, timeout: Duration = .seconds(10))
    async throws(ProbeError) -> SSHTCPStream
  {
    try await SSHTCPStream.open(on: connection, host: host, port: port, timeout: timeout)
  }

  /// One exec running `commands` through the batch script; `deliver` gets each result once, in
  /// the order they arrive, and is told which one is the last.
  private func batch(
    _ commands: [ProbeCommand], timeout: Duration,
    deliver: @escaping (Int, Result<CommandOutput, ProbeError>, Bool) -> Void
  ) -> SSHChannelOperation {
    let name = connection.endpoint.displayName
    let collector = BatchCollector(
      commands: commands, timeout: timeout, sudo: sudo, hostName: name, deliver: deliver)
    let operation = SSHChannelOperation(.exec(BatchScript.remoteCommand))
    operation.input = collector.script
    // Each probe is killed on the host at `timeout` (the watchdog below); this only catches a host
    // that stopped answering.
    let silence = timeout + .seconds(15)
    operation.deadline = .now + silence + connection.endpoint.connectTimeout
    operation.deadlineError = .connection(
      "\(name) stopped answering: no probe result for \(silence.formatted)")
    // The script's standard input stays open: its end is how the host learns the run is over.
    operation.keepsInputOpen = true
    let received: (Int) -> Void = { [unowned operation] records in
      if records > 0 { operation.deadline = .now + silence }
      operation.input += collector.takeControlInput()
      operation.wakeAt = collector.nextDeadline
      if collector.isComplete { operation.isSatisfied = true }
    }
    // The batch's watchdog: a probe past its deadline is killed on the host even when it is silent.
    operation.onTick = { received(0) }
    operation.onStdout = { [unowned operation] bytes in
      do throws(ProbeError) {
        received(try collector.stdout(bytes))
      } catch {
        operation.outcome = operation.outcome ?? error
      }
    }
    operation.onStderr = { [unowned operation] bytes in
      do throws(ProbeError) {
        received(try collector.stderr(bytes))
      } catch {
        operation.outcome = operation.outcome ?? error
      }
    }
    operation.onFinish = { collector.finish($0) }
    return operation
  }
}
