@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) public import InfraSpecReporters
internal import FoundationEssentials

#if canImport(Glibc)
  internal import Glibc
#endif

/// Remembers which checks failed or could not be checked, for `--only-failures` to re-run.
///
/// The file lives in the user's private spec cache (results may be secret, and a planted list
/// would choose what runs). A run updates what it learnt and keeps the rest: a check that ran
/// this time is remembered only if it did not pass; one that did not run (another file, a
/// `--filter`, a run stopped early) keeps its old state.
@_spi(Runner)
public struct FailureMemory: Reporter {
  let path: String
  /// Ids of the checks the run was to make.
  let planned: [String]
  private var failed: Set<String> = []
  private var judged: Set<String> = []
  private var hostLost = false

  init(path: String, planned checks: [Check]) {
    self.path = path
    self.planned = checks.map { CheckSelection.id($0.location, $0.title) }
  }

  private struct Stored: Codable {
    var version = 1
    /// Ids in spec order of the run that last judged them.
    var failures: [String]
  }

  /// The remembered failures, or nil when no run of these specs is remembered (or the file is
  /// not one this version can read).
  public static func read(_ path: String) -> [String]? {
    guard let data = FileManager.default.contents(atPath: path),
      let stored = try? JSONDecoder().decode(Stored.self, from: data), stored.version == 1
    else { return nil }
    return stored.failures
  }

  public mutating func report(_ event: Event) {
    switch event {
    case .checkFinished(let result), .fleetCheckFinished(let result):
      let id = CheckSelection.id(result.location, result.title)
      judged.insert(id)
      switch result.outcome {
      case .failed, .couldNotCheck: failed.insert(id)
      case .passed: break
      case .skipped(let reason):
        // A check skipped because its host went away was not checked: re-run it.
        if reason.hasPrefix("the connection to the host was lost") { failed.insert(id) }
      }
    case .hostFailed:
      // An unreachable host checked none of its checks: each is a could-not-check to re-run.
      hostLost = true
    case .runFinished:
      write()
    default:
      break
    }
  }

  private func write() {
    var now = failed
    if hostLost {
      now.formUnion(planned)
      // Passing elsewhere does not clear it: it was not checked on the host that was lost.
    }
    let previous = Self.read(path) ?? []
    let kept = previous.filter { !judged.contains($0) && !(hostLost && planned.contains($0)) }
    let ordered = kept + planned.filter(now.contains) + now.subtracting(planned).sorted()
    var unique: [String] = []
    var seen: Set<String> = []
    for id in ordered where seen.insert(id).inserted { unique.append(id) }
    guard let data = try? JSONEncoder().encode(Stored(failures: unique)) else { return }
    // Written beside, then renamed: a reader never sees half a list; mode 0600 from the start.
    let temporary = path + ".\(getpid()).tmp"
    guard
      FileManager.default.createFile(
        atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
    else {
      OutputStream.standardError.write("infraspec: cannot remember this run's failures in \(path)\n")
      return
    }
    if rename(temporary, path) != 0 {
      unlink(temporary)
      OutputStream.standardError.write("infraspec: cannot remember this run's failures in \(path)\n")
    }
  }
}
