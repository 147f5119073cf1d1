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
  var text: String
}

/// Commands and parsers for files; GNU coreutils and busybox `stat` share this format.
enum FileProbe {
  static func stat(_ path: String) -> ProbeCommand {
    ProbeCommand(["stat", "-c", "%f %a %U %G %s", "--", path])
  }

  static func plan(_ path: String) -> FactPlanner {
    { _ throws(ProbeError) in
      let command = stat(path)
      return FactPlan(commands: [command]) { outputs throws(ProbeError) in
        try parseStat(outputs.output(command), command: command)
      }
    }
  }

  /// `stat` first, so a missing file reads as absent rather than as an error of the second command.
  static func plan(
    _ path: String, reading extra: ProbeCommand,
    as make: @escaping @Sendable (FileFacts, String) -> any Sendable
  )
    -> FactPlanner
  {
    { _ throws(ProbeError) in
      let statCommand = stat(path)
      return FactPlan(commands: [statCommand, extra]) { outputs throws(ProbeError) in
        guard
          case .present(let facts as FileFacts) = try parseStat(
            outputs.output(statCommand), command: statCommand)
        else { return .absent("no such file") }
        let output = try outputs.output(extra)
        guard output.exitStatus == 0 else {
          throw .other("\(extra) failed: \(output.stderrText.trimmingWhitespace())")
        }
        return .present(make(facts, output.stdoutText))
      }
    }
  }

  static func parseStat(_ output: CommandOutput, command: ProbeCommand) throws(ProbeError) -> Presence {
    guard output.exitStatus == 0 else {
      let message = output.stderrText
      if message.contains("No such file") || message.contains("Not a directory") {
        return .absent("no such file")
      }
      throw .other("\(command) failed: \(message.trimmingWhitespace())")
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
