internal import ArgumentParser
internal import Dispatch
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import Synchronization
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#endif

/// `infraspec run --watch`: compiles the specs, starts the spec binary in watch mode (it runs the
/// rounds on connections it keeps open) and, when a spec or Support/ file changes, stops it,
/// compiles again and starts the new one. A spec that does not compile is shown in place and the
/// loop waits for the next change. Ctrl-C ends it all with 130, nothing left running.
enum SpecWatcher {
  /// How often the spec files are looked at.
  static let pollInterval = Duration.milliseconds(200)
  /// The same as the spec binary's between rounds: cursor home, screen and scrollback cleared.
  static let clearScreen = "\u{1B}[H\u{1B}[2J\u{1B}[3J"

  static func watch(_ specs: SpecOptions, request: RunRequest, every: Double) async throws -> Never {
    let redraw = OutputStream.standardOutput.isTerminal
    var request = request
    request.watch = WatchRequest(everySeconds: every, redraw: redraw)
    let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
    let stop = Stop()
    let compiler: SpecCompiler
    do {
      compiler = try SpecCompiler.locate()
    } catch {
      throw Failure.exit(error.message, code: error.exitCode)
    }
    var files = try specs.specFiles()
    while true {
      let seen = Snapshot(files)
      let binary: String
      do {
        binary = try await compiler.executable(for: files)
      } catch  where error.isSpecError {
        show(
          "infraspec: the spec does not compile; waiting for a change (Ctrl-C stops)\n\n" + error.message,
          redraw)
        files = try await change(from: seen, specs, stop)
        continue
      } catch {
        throw Failure.exit(error.message, code: error.exitCode)
      }
      guard !stop.raised else { throw ExitCode(InfraSpec.ExitCode.interrupted.rawValue) }
      let child = try SpecChild(binary: binary, arguments: [json])
      let ended = Ended()
      PlainThread { ended.set(child.wait()) }.start()
      while true {
        try? await Task.sleep(for: pollInterval)
        if stop.raised {
          // The child got the signal too (forwarded) and ends its round as a plain run would.
          let clock = ContinuousClock()
          let deadline = clock.now + .seconds(5)
          while ended.status == nil && clock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
          if ended.status == nil { kill(child.pid, SIGKILL) }
          while ended.status == nil { try? await Task.sleep(for: .milliseconds(20)) }
          child.killLeftovers()
          throw ExitCode(InfraSpec.ExitCode.interrupted.rawValue)
        }
        if let status = ended.status {
          child.killLeftovers()
          show(
            "infraspec: the spec binary ended (\(describe(status))); waiting for a change (Ctrl-C stops)\n",
            redraw, clearing: false)
          files = try await change(from: seen, specs, stop)
          break
        }
        if let changed = changedFiles(from: seen, specs) {
          // Its probes and connections go with it; the new binary connects again.
          kill(child.pid, SIGKILL)
          while ended.status == nil { try? await Task.sleep(for: .milliseconds(20)) }
          child.killLeftovers()
          if redraw { OutputStream.standardOutput.write("\ninfraspec: a spec file changed; compiling…\n") }
          files = changed
          break
        }
      }
    }
  }

  /// The next spec files once they differ from `seen`; Ctrl-C meanwhile ends the watch.
  private static func change(from seen: Snapshot, _ specs: SpecOptions, _ stop: Stop) async throws
    -> SpecFiles
  {
    while true {
      guard !stop.raised else { throw ExitCode(InfraSpec.ExitCode.interrupted.rawValue) }
      if let files = changedFiles(from: seen, specs) { return files }
      try? await Task.sleep(for: pollInterval)
    }
  }

  /// The spec files when any was added, removed or written since `seen`, and the same still a
  /// moment later (an editor that writes in two steps), else nil.
  private static func changedFiles(from seen: Snapshot, _ specs: SpecOptions) -> SpecFiles? {
    guard let files = try? SpecFiles.discover(specs.paths.isEmpty ? ["Specs"] : specs.paths) else {
      return nil
    }
    let now = Snapshot(files)
    guard now != seen else { return nil }
    usleep(50_000)
    guard let again = try? SpecFiles.discover(specs.paths.isEmpty ? ["Specs"] : specs.paths),
      Snapshot(again) == now
    else { return nil }
    return again
  }

  private static func show(_ text: String, _ redraw: Bool, clearing: Bool = true) {
    if redraw {
      OutputStream.standardOutput.write((clearing ? clearScreen : "") + text)
    } else {
      OutputStream.standardError.write(text)
    }
  }

  private static func describe(_ status: Int32) -> String {
    let signalled = status & 0x7f
    return signalled != 0
      ? "killed by \(SpecChild.signalName(signalled))" : "exit code \((status >> 8) & 0xff)"
  }

  /// Path, size, modification time and inode of every spec and Support/ file.
  struct Snapshot: Equatable {
    var entries: [String]

    init(_ files: SpecFiles) {
      let paths = Set(files.specs.flatMap { [$0.path] + $0.support }).sorted()
      entries = paths.map { path in
        var status = stat()
        guard stat(path, &status) == 0 else { return "\(path) missing" }
        return "\(path) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec) \(status.st_ino)"
      }
    }
  }

  /// Ctrl-C, SIGTERM or SIGHUP has come.
  private final class Stop: @unchecked Sendable {
    private final class Flag: Sendable {
      let value = Atomic<Bool>(false)
    }
    private let flag = Flag()
    private let token: SignalHub.Token

    init() {
      let flag = self.flag
      token = SignalHub.listen { _ in flag.value.store(true, ordering: .relaxed) }
    }

    deinit { SignalHub.remove(token) }

    var raised: Bool { flag.value.load(ordering: .relaxed) }
  }

  /// The spec binary's wait status, once it has ended.
  private final class Ended: Sendable {
    private let value = Mutex<Int32?>(nil)
    func set(_ status: Int32) { value.withLock { $0 = status } }
    var status: Int32? { value.withLock { $0 } }
  }
}
