@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// How account probes fuse: one `getent passwd` for every user, one `getent group` for every
/// group (glibc's and musl's `getent` take many keys, print the found entries in order and exit
/// 2 when any is missing), and every `id -Gn` in one shell loop.
extension AccountProbe {
  static let passwdFusion = getentFusion("passwd")
  static let groupFusion = getentFusion("group")

  static let membershipFusion = ProbeFusion(
    key: "id -Gn",
    subject: { command in
      let argv = command.argv
      guard command.stdin.isEmpty, argv.count == 4, argv[0] == "id", argv[1] == "-Gn", argv[2] == "--" else {
        return nil
      }
      return argv[3]
    },
    fused: { names in ProbeCommand(["sh", "-c", FusionText.loopScript(["id", "-Gn", "--"]), "id"] + names) },
    split: { output, names in FusionText.splitLoop(output, count: names.count) })

  /// `getent DATABASE -- KEY...`: each key's entry is the next line when that line is its entry
  /// (its name, or its numeric id for a numeric key); otherwise the key was not found (exit 2).
  static func getentFusion(_ database: String) -> ProbeFusion {
    ProbeFusion(
      key: "getent \(database)",
      subject: { command in
        let argv = command.argv
        guard command.stdin.isEmpty, argv.count == 4, argv[0] == "getent", argv[1] == database,
          argv[2] == "--"
        else { return nil }
        return argv[3]
      },
      fused: { keys in ProbeCommand(["getent", database, "--"] + keys) },
      split: { output, keys in
        // Any other status (an unknown database, no getent) is every key's own answer.
        guard output.exitStatus == 0 || output.exitStatus == 2 else {
          return keys.map { _ in output }
        }
        let lines = FusionText.lines(output.stdout)
        var next = 0
        var parts: [CommandOutput] = []
        for key in keys {
          if next < lines.count {
            let fields = lines[next].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            let name = fields.first.map { String(decoding: $0, as: UTF8.self) }
            let id = fields.count > 2 ? String(decoding: fields[2], as: UTF8.self) : nil
            let numeric = !key.isEmpty && key.allSatisfy(\.isASCII) && key.allSatisfy(\.isNumber)
            if name == key || (numeric && id == key) {
              parts.append(
                CommandOutput(exitStatus: 0, stdout: Array(lines[next]) + [UInt8(ascii: "\n")], stderr: []))
              next += 1
              continue
            }
          }
          parts.append(CommandOutput(exitStatus: 2, stdout: [], stderr: []))
        }
        // Every line belongs to a key, or the split is refused.
        return next == lines.count ? parts : nil
      })
  }
}
