@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// What `stat` says about a path (without following a final symlink).
struct FileFacts: Sendable {
  enum Kind: String, Sendable {
    case file = "regular file", directory, symlink = "symbolic link", other = "special file"
  }

  var kind: Kind
  var mode: Int
  var owner: String
  var group: String
  var size: Int
}

/// A file's bytes, read only when an assertion looks inside.
struct FileContent: Sendable {
  var stat: FileFacts
  /// Nil when the path is not a kind the read applies to (content of a directory or a FIFO).
  var text: String?
}

/// Commands and parsers for files; GNU coreutils and busybox `stat` share this format.
enum FileProbe {
  /// `stat` in a fixed script that says by its exit status why the path could not be read:
  /// 3 when it does not exist (a directory on the way is searchable and the name is not in it,
  /// or a component is not a directory), 4 when a directory on the way cannot be searched by
  /// this user. `stat` itself exits 1 for both, and its message quotes the path, so neither the
  /// status nor the text could tell them apart. The path is `$1`, never part of the script.
  static let statScript = NativeCommands.statScript

  static func stat(_ path: String) -> ProbeCommand {
    ProbeCommand(["sh", "-c", statScript, "stat", path])
  }

  static func plan(_ path: String) -> FactPlanner {
    { _ throws(ProbeError) in
      let command = stat(path)
      return FactPlan(commands: [command]) { outputs throws(ProbeError) in
        try parseStat(outputs.output(command), path: path, command: command)
      }
    }
  }

  /// `stat` first, so a missing file reads as absent rather than as an error of the second
  /// command; when the path is not one of `kinds`, the second command's output is not used (it
  /// failed, or would mean nothing) and `make` gets `nil`.
  static func plan(
    _ path: String, reading extra: ProbeCommand, onlyFor kinds: Set<FileFacts.Kind>,
    as make: @escaping @Sendable (FileFacts, String?) -> any Sendable
  )
    -> FactPlanner
  {
    { _ throws(ProbeError) in
      let statCommand = stat(path)
      return FactPlan(commands: [statCommand, extra]) { outputs throws(ProbeError) in
        guard
          case .present(let facts as FileFacts) = try parseStat(
            outputs.output(statCommand), path: path, command: statCommand)
        else { return .absent("no such file") }
        guard kinds.contains(facts.kind) else { return .present(make(facts, nil)) }
        let output = try outputs.output(extra)
        guard output.exitStatus == 0 else {
          throw .other("\(extra) failed: \(output.stderrText.trimmingWhitespace())")
        }
        return .present(make(facts, output.stdoutText))
      }
    }
  }

  /// Decides from the exit status alone (see `statScript`); stderr is only quoted in messages.
  static func parseStat(_ output: CommandOutput, path: String, command: ProbeCommand) throws(ProbeError)
    -> Presence
  {
    switch output.exitStatus {
    case 0: break
    case 3: return .absent("no such file")
    case 4:
      throw .other(
        "cannot look up \(path): a directory on the way cannot be searched by this user "
          + "(run as a user who may, or with --sudo)")
    case 127: throw .commandNotFound("stat")
    default:
      throw .other(
        "\(command) failed with exit status \(output.exitStatus): \(output.stderrText.trimmingWhitespace())")
    }
    let fields = output.stdoutText.trimmingWhitespace().split(separator: " ")
    guard fields.count == 5, let raw = Int(fields[0], radix: 16), let mode = Int(fields[1], radix: 8),
      let size = Int(fields[4])
    else {
      throw .unexpectedOutput(command: command.description, detail: output.stdoutText)
    }
    let kind: FileFacts.Kind =
      switch raw & 0o170000 {
      case 0o100000: .file
      case 0o040000: .directory
      case 0o120000: .symlink
      default: .other
      }
    return .present(
      FileFacts(kind: kind, mode: mode, owner: String(fields[2]), group: String(fields[3]), size: size))
  }
}
