@_spi(Runner) internal import InfraSpecCore
internal import FoundationEssentials

#if canImport(Glibc)
  internal import Glibc
#endif

/// What each host's OS detection answered last time, so the next run plans from it and checks it
/// inside its one batch instead of logging in twice: a login costs the host a shell (its
/// `~/.bashrc` included) and about 40 ms of CPU, as much as the 100 probes after it.
///
/// Only a hint: the batch runs the detection again, and when the answer differs (the host was
/// reinstalled, or the file was tampered with) the run plans again from the new one. So a wrong
/// memory costs a second login, never a wrong verdict.
struct ProfileMemory: Sendable {
  /// A folder in the user's private spec cache (`infraspec` checks that it is theirs alone).
  let directory: String

  struct Detection: Codable, Equatable, Sendable {
    var osRelease: String
    var initComm: String
  }

  func recall(_ host: String) -> Detection? {
    guard let data = FileManager.default.contents(atPath: path(host)) else { return nil }
    return try? JSONDecoder().decode(Detection.self, from: data)
  }

  /// Best effort: a run that cannot remember simply logs in twice next time.
  func remember(_ detection: Detection, for host: String) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    guard let data = try? encoder.encode(detection) else { return }
    try? FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let file = path(host)
    let partial = file + ".partial-\(UInt32.random(in: 0...UInt32.max))"
    guard
      FileManager.default.createFile(atPath: partial, contents: data, attributes: [.posixPermissions: 0o600])
    else { return }
    if rename(partial, file) != 0 { try? FileManager.default.removeItem(atPath: partial) }
  }

  /// One file per host, named by a hash of how the host is reached: no host name in a path.
  private func path(_ host: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
    for byte in host.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    return directory + "/profile-" + String(hash, radix: 16)
  }
}
