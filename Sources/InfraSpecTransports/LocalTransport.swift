@_spi(Runner) public import InfraSpecCore
internal import FoundationEssentials

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Musl)
  internal import Musl
#endif

/// Runs probes on this machine: `posix_spawn` of an argv, no shell in between.
public struct LocalTransport: Transport {
  public let hostName = "localhost"
  /// How many probe processes run at once.
  let concurrency: Int

  /// Runs probes on this machine, at most `concurrency` at a time.
  public init(concurrency: Int = 16) {
    self.concurrency = concurrency
  }

  public func run(_ command: ProbeCommand, timeout: Duration) async throws(ProbeError) -> CommandOutput {
    if let answer = NativeCommands.answer(command, timeout: timeout) { return try answer.get() }
    let clock = ContinuousClock()
    let began = clock.now
    // The blocking poll() runs on a thread of its own, not on the cooperative pool.
    var result = await ChildProcess.offPool { ChildProcess.run(command, timeout: timeout) }
    // The command's own time, for its check's report: probes run concurrently here.
    if case .success(var output) = result {
      output.duration = clock.now - began
      result = .success(output)
    }
    return try result.get()
  }

  public func runAll(_ commands: [ProbeCommand], timeout: Duration)
    -> AsyncStream<(ProbeCommand, Result<CommandOutput, ProbeError>)>
  {
    runConcurrently(commands, timeout: timeout, limit: concurrency)
  }

  public func close() async {}
}

extension Transport {
  /// Runs `commands` through `run`, at most `limit` at a time, yielding each result as it completes.
  public func runConcurrently(_ commands: [ProbeCommand], timeout: Duration, limit: Int)
    -> AsyncStream<(ProbeCommand, Result<CommandOutput, ProbeError>)>
  {
    AsyncStream { continuation in
      let task = Task {
        await withTaskGroup(of: (ProbeCommand, Result<CommandOutput, ProbeError>).self) { group in
          var pending = commands[...]
          func startNext() {
            guard let command = pending.popFirst() else { return }
            group.addTask {
              do throws(ProbeError) {
                return (command, .success(try await run(command, timeout: timeout)))
              } catch {
                return (command, .failure(error))
              }
            }
          }
          for _ in 0..<max(1, limit) { startNext() }
          for await result in group {
            continuation.yield(result)
            startNext()
          }
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }
}
