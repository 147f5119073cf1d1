@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecSSH
@_spi(Runner) internal import InfraSpecReporters
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Musl)
  internal import Musl
#endif

/// `infraspec run --watch` inside the spec binary: one round after another on the same
/// connections, until Ctrl-C. A round is an ordinary run; on a terminal it is drawn off-screen and
/// then replaces the previous one at once (no flicker while a slow host answers), otherwise rounds
/// are appended. A spec change is `infraspec`'s business: it stops this binary and starts the new one.
struct WatchLoop {
  let checks: [Check]
  let request: RunRequest
  let watch: WatchRequest

  /// Clears the screen and its scrollback, cursor home: the next round stands alone.
  static let clearScreen = "\u{1B}[H\u{1B}[2J\u{1B}[3J"

  func run() async -> Never {
    let connections = ConnectionCache()
    let targets = HostConnector.targets(for: request).map(connections.keeping)
    let stop = StopFlag()
    // Between rounds nothing else listens; during a round SpecRun's own handler stops the round
    // as in a plain run (both sources see the signal).
    let interruption = Interruption.install { _ in stop.raise() }
    defer { interruption.cancel() }
    let buffer = watch.redraw ? RoundBuffer() : nil
    var round = 0
    while true {
      round += 1
      let output = buffer?.stream ?? .standardOutput
      let failed = FailedHosts()
      var reporters: [any Reporter] = [failed]
      do throws(ReportError) {
        reporters += try roundReporters(output)
      } catch {
        OutputStream.standardError.write("infraspec: \(error.message)\n")
        exit(ExitCode.usage.rawValue)
      }
      if buffer == nil && request.format == .human {
        output.write("── round \(round), \(Self.clockTime()) ──\n")
      }
      let clock = ContinuousClock()
      let started = clock.now
      let run = SpecRun(
        checks: checks, targets: targets, options: request.options, jobs: request.jobs, shard: request.shard,
        keepsConnections: true)
      let ending = await run.execute(reporters: &reporters)
      let took = Double((clock.now - started).milliseconds) / 1000
      let interrupted = ending.interrupted || stop.raised
      let footer =
        interrupted
        ? "watch stopped at \(Self.clockTime()) (round \(round))\n"
        : "last round \(Self.clockTime()) (round \(round), \(TAPReporter.seconds(took * 1000)) s); next in "
          + "\(Self.interval(watch.everySeconds))"
          + (watch.specsBuiltIn ? " (the specs are built in)" : " or when a spec file changes")
          + "; Ctrl-C stops\n"
      if let buffer {
        OutputStream.standardOutput.write(Self.clearScreen + buffer.take() + "\n" + footer)
      } else if request.format == .human {
        OutputStream.standardOutput.write(footer)
      } else {
        OutputStream.standardError.write("infraspec: \(footer)")
      }
      let failures = OutputStream.failures
      if !failures.isEmpty {
        for failure in failures { OutputStream.standardError.write("infraspec: \(failure)\n") }
        exit(ExitCode.reportNotWritten.rawValue)
      }
      if interrupted {
        await connections.closeAll()
        exit(ExitCode.interrupted.rawValue)
      }
      // A host that failed (a lost connection, a profile probe that timed out) is connected again
      // next round; the others keep their connection.
      await connections.drop(failed.hosts)
      let deadline = clock.now + .milliseconds(Int64(watch.everySeconds * 1000))
      while clock.now < deadline && !stop.raised {
        try? await clock.sleep(for: min(.milliseconds(100), deadline - clock.now))
      }
      if stop.raised {
        await connections.closeAll()
        exit(ExitCode.interrupted.rawValue)
      }
    }
  }

  /// The reporter on stdout (or the off-screen buffer) and one per `--report` file, rewritten
  /// each round. Fleet progress lines would scroll a redrawn screen, so they are not shown.
  private func roundReporters(_ output: OutputStream) throws(ReportError) -> [any Reporter] {
    var reporters: [any Reporter]
    if request.format == .human {
      reporters = [
        HumanReporter(
          output: output, color: request.color, progress: watch.redraw ? .discarding : .standardError,
          verbose: request.verbose)
      ]
    } else {
      reporters = [
        ReportOutputs.make(
          request.format, output, color: false, stepSummaryPath: nil, verbose: request.verbose)
      ]
    }
    for target in request.reports {
      reporters.append(
        ReportOutputs.make(target.format, try .file(atPath: target.path), color: false, stepSummaryPath: nil))
    }
    return reporters
  }

  /// `14:03:27`, local time: what a presenter compares with the clock on the wall.
  static func clockTime() -> String {
    var now = time(nil)
    var parts = tm()
    localtime_r(&now, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
  }

  /// `5 s`, `500 ms`, `2 min`.
  static func interval(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
    if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60)) min" }
    return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
  }
}

/// Each host's connection, opened on its first round and kept for the next ones.
final class ConnectionCache: Sendable {
  private let connections = Mutex<[String: any Transport]>([:])

  /// `target`, connecting only when no connection to it is open.
  func keeping(_ target: HostTarget) -> HostTarget {
    var kept = target
    let (name, connect) = (target.name, target.connect)
    kept.connect = { [self] in
      if let transport = connections.withLock({ $0[name] }) { return .success(transport) }
      let result = await connect()
      if case .success(let transport) = result { connections.withLock { $0[name] = transport } }
      return result
    }
    return kept
  }

  /// Closes the connections to `hosts`, so their next round connects again.
  func drop(_ hosts: Set<String>) async {
    let dropped = connections.withLock { open in hosts.compactMap { open.removeValue(forKey: $0) } }
    for transport in dropped { await transport.close() }
  }

  func closeAll() async {
    let all = connections.withLock { open in
      defer { open = [:] }
      return Array(open.values)
    }
    for transport in all { await transport.close() }
  }
}

/// The hosts a round reported as failed as a whole.
private struct FailedHosts: Reporter {
  private let box: Box

  private final class Box: Sendable {
    let names = Mutex<Set<String>>([])
  }

  init() { box = Box() }

  var hosts: Set<String> { box.names.withLock { $0 } }

  mutating func report(_ event: Event) {
    if case .hostFailed(let host, _) = event { box.names.withLock { _ = $0.insert(host) } }
  }
}

/// Set once by a signal handler, read by the loop.
private final class StopFlag: Sendable {
  private let value = Atomic<Bool>(false)
  func raise() { value.store(true, ordering: .relaxed) }
  var raised: Bool { value.load(ordering: .relaxed) }
}

/// An unlinked temporary file a round is written into before it goes to the terminal at once.
private final class RoundBuffer: @unchecked Sendable {
  let stream: OutputStream
  private let descriptor: Int32

  init?() {
    let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(folder)/infraspec-watch-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard made >= 0 else { return nil }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    descriptor = made
    stream = OutputStream(descriptor: made, name: "the watch view")
  }

  /// What the round wrote; the buffer is empty again after.
  func take() -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    lseek(descriptor, 0, SEEK_SET)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      bytes += chunk[..<count]
    }
    _ = ftruncate(descriptor, 0)
    lseek(descriptor, 0, SEEK_SET)
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension OutputStream {
  /// Writes that go nowhere (`/dev/null`).
  static let discarding = OutputStream(
    descriptor: Glibc.open("/dev/null", O_WRONLY | O_CLOEXEC), name: "/dev/null")
}
