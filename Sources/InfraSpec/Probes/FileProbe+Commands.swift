internal import InfraSpecCore

/// The commands of a file's content checks, kept beside the stat probe so `File` states what it
/// checks and never spells a command.
extension FileProbe {
  /// `sha256sum` of the content, for `File.sha256(_:)`.
  static func sha256Command(_ path: String) -> ProbeCommand { ProbeCommand(["sha256sum", "--", path]) }

  /// Where a symbolic link points, for `File.linksTo(_:)`.
  static func readlinkCommand(_ path: String) -> ProbeCommand { ProbeCommand(["readlink", "--", path]) }

  /// The content, for `File.contains(_:)` and the other text checks.
  static func catCommand(_ path: String) -> ProbeCommand { ProbeCommand(["cat", "--", path]) }
}
