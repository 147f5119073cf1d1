@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// How one family of probe commands (the same tool asked about different subjects) becomes one
/// process on the host, and how that process's output is split back into what each command
/// would have printed on its own.
///
/// A probe family declares its fusion beside its commands (`FileProbe+Fusion.swift`, ...); the
/// runner does the fusing (`FusionPlan`), so a resource never knows: its plan still names its own
/// command and reads that command's output. Splitting is exact or refused: when the fused output
/// cannot be attributed subject by subject, every subject gets an error, never a guess.
struct ProbeFusion: Sendable {
  /// Names the family; commands of the same family fuse.
  let key: String
  /// The subject `command` asks about when it is one of this family's commands; nil otherwise.
  let subject: @Sendable (ProbeCommand) -> String?
  /// The one command that asks about every subject, in order.
  let fused: @Sendable ([String]) -> ProbeCommand
  /// Each subject's output, in order, as its own command would have left it; nil when the
  /// output cannot be split (a race on the host, an unknown tool version).
  let split: @Sendable (CommandOutput, [String]) -> [CommandOutput]?

  /// At most this many subjects in one fused command: its argv must stay far below `ARG_MAX`.
  static let maximumSubjects = 256

  /// Every family that fuses; a command that matches none runs as it is.
  static let families: [ProbeFusion] = [
    FileProbe.statFusion, FileProbe.digestFusion, FileProbe.linkFusion, AccountProbe.passwdFusion,
    AccountProbe.groupFusion, AccountProbe.membershipFusion, KernelFileFusion.fusion,
  ]
}

/// The commands one host runs once probes are fused, and how each fused result becomes the
/// results of the commands it stands for.
struct FusionPlan: Sendable {
  /// One fused command and the original commands it answers, with their subjects, in order.
  struct Group: Sendable {
    var fusion: ProbeFusion
    var members: [ProbeCommand]
    var subjects: [String]
  }

  /// What the transport runs: fused commands where a family had two or more, the rest as they were.
  private(set) var commands: [ProbeCommand] = []
  private var groups: [ProbeCommand: Group] = [:]

  /// Fuses `commands`, except those `keep` says must run as they are (commands the local
  /// transport answers without a process).
  init(
    _ commands: [ProbeCommand], families: [ProbeFusion] = ProbeFusion.families,
    keep: (ProbeCommand) -> Bool = { _ in false }
  ) {
    var byFamily: [Int: [(ProbeCommand, String)]] = [:]
    // Where each family's fused command goes: at its first member, so the order stays the spec's.
    var order: [Either] = []
    for command in commands {
      if !keep(command),
        let (family, subject) = families.enumerated().lazy.compactMap({ index, fusion in
          fusion.subject(command).map { (index, $0) }
        }).first
      {
        if byFamily[family] == nil { order.append(.family(family)) }
        byFamily[family, default: []].append((command, subject))
      } else {
        order.append(.command(command))
      }
    }
    for entry in order {
      switch entry {
      case .command(let command): self.commands.append(command)
      case .family(let family):
        let members = byFamily[family] ?? []
        if members.count < 2 {
          self.commands += members.map(\.0)
          continue
        }
        var start = 0
        while start < members.count {
          let chunk = members[start..<min(members.count, start + ProbeFusion.maximumSubjects)]
          start += chunk.count
          if chunk.count == 1 {
            self.commands.append(chunk[chunk.startIndex].0)
            continue
          }
          let subjects = chunk.map(\.1)
          let fused = families[family].fused(subjects)
          groups[fused] = Group(fusion: families[family], members: chunk.map(\.0), subjects: subjects)
          self.commands.append(fused)
        }
      }
    }
  }

  private enum Either {
    case command(ProbeCommand)
    case family(Int)
  }

  /// The results `command`'s result stands for: itself, or each member of its fused group.
  func results(of command: ProbeCommand, _ result: Result<CommandOutput, ProbeError>)
    -> [(ProbeCommand, Result<CommandOutput, ProbeError>)]
  {
    guard let group = groups[command] else { return [(command, result)] }
    switch result {
    case .failure(let error):
      // A fused probe that timed out, was not found or lost its connection: each member says so.
      return group.members.map { ($0, .failure(error)) }
    case .success(let output):
      guard let parts = group.fusion.split(output, group.subjects), parts.count == group.members.count else {
        let error = ProbeError.unexpectedOutput(
          command: command.description,
          detail: "its output could not be split per subject (exit status \(output.exitStatus)): "
            + String(decoding: output.stderr.prefix(500), as: UTF8.self))
        return group.members.map { ($0, .failure(error)) }
      }
      return zip(group.members, parts).map { member, part in
        var part = part
        part.duration = output.duration
        return (member, .success(part))
      }
    }
  }
}

/// Helpers the families share to build and split fused commands.
enum FusionText {
  /// Lines of `bytes`, split at `\n`; a final line without one is kept.
  static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines
  }

  /// A loop over `"$@"` running `prefix SUBJECT` once per subject inside the fused shell (one
  /// process each, not one wrapped probe each), each answer framed as `STATUS LENGTH\n` and the
  /// bytes of its standard output (its standard error is dropped). The `x` keeps trailing
  /// newlines the command substitution would strip; `LC_ALL=C` makes `${#o}` count bytes.
  static func loopScript(_ prefix: [String]) -> String {
    "LC_ALL=C; export LC_ALL; for a; do o=$(" + prefix.map(ShellQuoting.quote).joined(separator: " ")
      + " \"$a\" 2>/dev/null; r=$?; printf x; exit $r); r=$?; o=${o%x}; "
      + "printf '%s %s\\n%s' \"$r\" \"${#o}\" \"$o\"; done"
  }

  /// Splits the output of `loopScript`: one `CommandOutput` per subject, or nil when a frame is
  /// broken.
  static func splitLoop(_ output: CommandOutput, count: Int) -> [CommandOutput]? {
    guard output.exitStatus == 0 else { return nil }
    let bytes = output.stdout
    var position = 0
    var parts: [CommandOutput] = []
    while parts.count < count {
      guard let newline = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
      let header = String(decoding: bytes[position..<newline], as: UTF8.self).split(separator: " ")
      guard header.count == 2, let status = Int32(header[0]), let length = Int(header[1]), length >= 0,
        newline + 1 + length <= bytes.count
      else { return nil }
      let body = Array(bytes[(newline + 1)..<(newline + 1 + length)])
      parts.append(CommandOutput(exitStatus: status, stdout: body, stderr: []))
      position = newline + 1 + length
    }
    return position == bytes.count ? parts : nil
  }

  /// A shell fragment that sorts `"$@"`: subjects `test` accepts stay in `"$@"` (in order), and
  /// the first line printed lists a code per subject (0 kept, else `reject`'s code). `for` reads
  /// its list once, so appending to `"$@"` inside it and shifting the originals off is safe.
  static func filterScript(test: String, reject: String) -> String {
    "n=$#; c=; for p; do if \(test); then c=\"$c 0\"; set -- \"$@\" \"$p\"; else \(reject); c=\"$c $r\"; fi; "
      + "done; shift $n; printf '%s\\n' \"$c\"; "
  }

  /// The codes line `filterScript` printed and the lines after it.
  static func codes(_ output: CommandOutput, count: Int) -> (codes: [Int32], rest: [ArraySlice<UInt8>])? {
    let lines = lines(output.stdout)
    guard let first = lines.first else { return nil }
    let codes = String(decoding: first, as: UTF8.self).split(separator: " ").compactMap { Int32($0) }
    guard codes.count == count else { return nil }
    return (codes, Array(lines.dropFirst()))
  }
}

extension Transport {
  /// Commands this transport must get as they are. The SSH transports fuse everything; the
  /// local one all but the commands it answers without a process (fusing those would start one);
  /// any other transport (the replay double, which knows only recorded commands) nothing.
  var runsUnfused: @Sendable (ProbeCommand) -> Bool {
    if self is SSHTransport || self is OpenSSHTransport { return { _ in false } }
    if self is LocalTransport { return NativeCommands.recognizes }
    return { _ in true }
  }
}

extension NativeCommands {
  /// Whether `answer` would answer `command` itself: the same forms it matches.
  static func recognizes(_ command: ProbeCommand) -> Bool {
    let argv = command.argv
    guard command.stdin.isEmpty else { return false }
    return (argv.count == 2 && argv[0] == "cat" && !argv[1].hasPrefix("-"))
      || (argv.count == 3 && (argv[0] == "cat" || argv[0] == "readlink") && argv[1] == "--")
      || (argv.count == 5 && argv[0] == "sh" && argv[1] == "-c" && argv[2] == statScript)
  }
}
