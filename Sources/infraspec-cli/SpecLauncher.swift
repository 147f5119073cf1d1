internal import ArgumentParser
internal import Dispatch
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports
internal import InfraSpecPlatform

#if canImport(Glibc)
  internal import Glibc
#endif

/// Compiles the specs and runs the spec binary as a supervised child: Ctrl-C and SIGTERM are passed
/// on, its exit code becomes ours, and when it dies without finishing (a trap in spec code, a
/// signal before its handlers were set) the reports are still written, from the journal of events
/// it kept, and say the run did not finish.
enum SpecLauncher {
  static func launch(_ files: SpecFiles, request: RunRequest) async throws -> Never {
    let binary: String
    do {
      binary = try await SpecCompiler.locate().executable(for: files)
    } catch {
      OutputStream.standardError.write(error.isSpecError ? error.message : "infraspec: \(error.message)\n")
      guard error.isSpecError else { throw ExitCode(error.exitCode) }
      // CI shows why: TAP bails out and every report carries the compiler's diagnostics.
      let first = error.message.split(separator: "\n").first { $0.contains(": error:") }
      let abort = RunAbort(
        kind: .doesNotCompile, reason: "the spec does not compile: \(first ?? "see the diagnostics")",
        detail: error.message)
      // `list` writes no reports.
      if request.mode == .run { RunJournal.salvage("", abort: abort, request: request) }
      throw ExitCode(InfraSpec.ExitCode.specDoesNotCompile.rawValue)
    }
    let folder = try privateFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let journal = folder + "/journal.jsonl"
    guard
      FileManager.default.createFile(atPath: journal, contents: nil, attributes: [.posixPermissions: 0o600])
    else {
      OutputStream.standardError.write("infraspec: cannot create the run journal \(journal)\n")
      throw ExitCode(InfraSpec.ExitCode.toolchainUnavailable.rawValue)
    }
    var request = request
    request.journal = journal
    let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)

    let child = try SpecChild(binary: binary, arguments: [json])
    let status = child.wait()
    let signalled = status & 0x7f
    guard signalled != 0 else { throw ExitCode((status >> 8) & 0xff) }

    child.killLeftovers()
    let name = SpecChild.signalName(signalled)
    let abort: RunAbort
    if [SIGINT, SIGTERM, SIGHUP].contains(signalled) {
      abort = RunAbort(kind: .interrupted, reason: "interrupted by \(name)")
    } else {
      let crash = CrashReport(stderr: child.stderrTail, specs: files.specs.map(\.path))
      abort = RunAbort(
        kind: .crashed, reason: "the spec crashed (\(name))\(crash.summary)", detail: crash.detail)
    }
    if request.mode == .run {
      RunJournal.salvage(journal, abort: abort, request: request, childPID: child.pid)
    }
    OutputStream.standardError.write("infraspec: \(abort.line)\n")
    throw ExitCode(abort.kind.exitCode.rawValue)
  }

  /// A folder only this user can read, for the journal: results may be secret.
  private static func privateFolder() throws -> String {
    var template = Array((temporaryDirectory() + "infraspec-run-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
      OutputStream.standardError.write(
        "infraspec: cannot create a temporary folder: \(String(cString: strerror(errno)))\n")
      throw ExitCode(InfraSpec.ExitCode.toolchainUnavailable.rawValue)
    }
    return String(cString: made)
  }
}
