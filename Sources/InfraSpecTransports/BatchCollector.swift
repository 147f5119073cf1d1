@_spi(Runner) package import InfraSpecCore
internal import FoundationEssentials
internal import Glibc

/// Turns one batch script's output into one result per command, each delivered exactly once.
///
/// Not thread-safe: the transport feeds it from the one thread that reads the script's output.
package final class BatchCollector {
  let commands: [ProbeCommand]
  let timeout: Duration
  let sudo: SudoOptions?
  let hostName: String
  private let nonce: String
  private let deliver: (Int, Result<CommandOutput, ProbeError>, Bool) -> Void
  private var parser: BatchRecordParser
  private var delivered = Set<Int>()
  /// The batch's watchdog, on this side: each running probe's group and when it began (its begin
  /// marker arrived), and the probes it had killed at their deadline.
  private var running: [Int: (group: Int, since: ContinuousClock.Instant)] = [:]
  private var killedAtDeadline = Set<Int>()

  /// `deliver` gets the command's index, its result, and whether it was the last one.
  package init(
    commands: [ProbeCommand], timeout: Duration, sudo: SudoOptions?, hostName: String,
    nonce: String = BatchScript.makeNonce(),
    deliver: @escaping (Int, Result<CommandOutput, ProbeError>, Bool) -> Void
  ) {
    self.commands = commands
    self.timeout = timeout
    self.sudo = sudo
    self.hostName = hostName
    self.nonce = nonce
    self.deliver = deliver
    parser = BatchRecordParser(nonce: nonce)
  }

  package var script: [UInt8] {
    BatchScript.script(for: commands, timeout: timeout, sudo: sudo, nonce: nonce)
  }

  /// Every command has its result: the transport may close the channel without waiting for the
  /// remote side (a daemon a probe started may hold the channel's output open).
  package var isComplete: Bool { delivered.count == commands.count }

  /// Feeds the script's standard output; returns how many records completed, or throws when the
  /// framing broke and nothing more can be trusted.
  package func stdout(_ bytes: [UInt8]) throws(ProbeError) -> Int {
    try take(parser.feedStdout(bytes))
  }

  /// Feeds the script's standard error; records complete when both streams have ended.
  package func stderr(_ bytes: [UInt8]) throws(ProbeError) -> Int {
    try take(parser.feedStderr(bytes))
  }

  private func take(_ records: [BatchRecord]) throws(ProbeError) -> Int {
    let now = ContinuousClock.now
    for start in parser.takeStarts() { running[start.index] = (start.group, now) }
    for var record in records where commands.indices.contains(record.index) {
      let began = running.removeValue(forKey: record.index)?.since
      // Killed by the watchdog at its deadline: a timeout, not a probe that died of SIGKILL.
      if killedAtDeadline.contains(record.index) && record.exitStatus == 128 + 9 { record.state = .timedOut }
      var result = BatchScript.result(
        of: record, command: commands[record.index], timeout: timeout, sudo: sudo)
      if let began, case .success(var output) = result {
        output.duration = now - began
        result = .success(output)
      }
      deliverOnce(record.index, result)
    }
    if let corruption = parser.corruption { throw .other("\(hostName): \(corruption)") }
    return records.count
  }

  /// Lines for the script's standard input that have the host kill probes whose output passed
  /// the limit (`k GROUP`); empty when there is nothing to kill.
  /// Probes past their own deadline are named here too, once each: the transport calls this at
  /// `nextDeadline` even when nothing arrives.
  package func takeControlInput(now: ContinuousClock.Instant = .now) -> [UInt8] {
    for start in parser.takeStarts() { running[start.index] = (start.group, now) }
    var groups = parser.takeKillRequests()
    for (index, probe) in running.sorted(by: { $0.key < $1.key })
    where probe.since + timeout <= now && killedAtDeadline.insert(index).inserted {
      groups.append(probe.group)
    }
    return Array(groups.map { "k \($0)\n" }.joined().utf8)
  }

  /// When the next running probe's deadline passes: the transport must wake then, data or not.
  package var nextDeadline: ContinuousClock.Instant? {
    running.filter { !killedAtDeadline.contains($0.key) }.map { $0.value.since + timeout }.min()
  }

  /// What the script (or the ssh client) printed on standard error outside any probe.
  package var scriptErrors: String {
    String(decoding: parser.scriptErrors, as: UTF8.self).trimmingWhitespace()
  }

  /// The script ended: every command without a record gets the reason.
  package func finish(_ result: Result<Int32, ProbeError>) {
    let error: ProbeError
    switch result {
    case .failure(let failure): error = failure
    case .success(let status):
      let detail = scriptErrors
      error = .other(
        "the probe script on \(hostName) ended with exit status \(status) before this probe ran"
          + (detail.isEmpty ? "" : ": \(detail)"))
    }
    for index in commands.indices { deliverOnce(index, .failure(error)) }
  }

  private func deliverOnce(_ index: Int, _ result: Result<CommandOutput, ProbeError>) {
    guard delivered.insert(index).inserted else { return }
    deliver(index, result, delivered.count == commands.count)
  }
}

extension BatchCollector {
  /// One batch's results as the stream `Transport.runAll` returns: `start` begins the batch with
  /// the delivery callback and returns how to stop it when the reader cancels.
  package static func stream(
    _ commands: [ProbeCommand],
    start: (@escaping (Int, Result<CommandOutput, ProbeError>, Bool) -> Void) -> @Sendable () -> Void
  ) -> AsyncStream<(ProbeCommand, Result<CommandOutput, ProbeError>)> {
    let (stream, continuation) = AsyncStream.makeStream(
      of: (ProbeCommand, Result<CommandOutput, ProbeError>).self)
    guard !commands.isEmpty else {
      continuation.finish()
      return stream
    }
    let stop = start { index, result, isLast in
      continuation.yield((commands[index], result))
      if isLast { continuation.finish() }
    }
    continuation.onTermination = { reason in
      if case .cancelled = reason { stop() }
    }
    return stream
  }
}
