@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// How file probes fuse: one `stat` for every path of a host, one `sha256sum` for every digest,
/// and every `readlink` in one shell. Each path keeps its own answer: a missing one is reported
/// for itself (exit 3 or 4, as `statScript` would), the others are read as usual.
extension FileProbe {
  /// Decides, in shell builtins only, why a path `[ -e ]` did not find is missing: the same walk
  /// up the directories as `statScript` (3: it does not exist, 4: a directory on the way cannot
  /// be searched). Sets `r`.
  static let missingScript =
    "q=$p; while :; do case $q in */*) d=${q%/*}; d=${d:-/};; *) d=.;; esac; "
    + "if (cd -P -- \"$d\") 2>/dev/null; then r=3; break; fi; if [ -d \"$d\" ]; then r=4; break; fi; "
    + "if [ -e \"$d\" ] || [ -L \"$d\" ]; then r=3; break; fi; if [ \"$d\" = \"$q\" ]; then r=4; break; fi; "
    + "q=$d; done"

  /// Prints a code per path (0: it exists), then one `stat` line per existing path, in order:
  /// the names are arguments after `--`, never part of the script, and never printed back.
  static let fusedStatScript =
    FusionText.filterScript(test: "[ -e \"$p\" ] || [ -L \"$p\" ]", reject: missingScript)
    + "[ $# -eq 0 ] && exit 0; exec stat -c '\(NativeCommands.statFormat)' -- \"$@\""

  static let statFusion = ProbeFusion(
    key: "stat",
    subject: { command in
      let argv = command.argv
      guard command.stdin.isEmpty, argv.count == 5, argv[0] == "sh", argv[1] == "-c", argv[2] == statScript,
        argv[3] == "stat"
      else { return nil }
      return argv[4]
    },
    fused: { paths in ProbeCommand(["sh", "-c", fusedStatScript, "stat"] + paths) },
    split: { output, paths in
      guard let (codes, lines) = FusionText.codes(output, count: paths.count) else { return nil }
      let found = codes.filter { $0 == 0 }.count
      if output.exitStatus == 127 && lines.isEmpty {
        return codes.map { code in
          code == 0
            ? CommandOutput(exitStatus: 127, stdout: [], stderr: output.stderr)
            : CommandOutput(exitStatus: code, stdout: [], stderr: [])
        }
      }
      // A path that vanished between the test and `stat` leaves the lines unaligned.
      guard output.exitStatus == 0, lines.count == found else { return nil }
      var next = lines.makeIterator()
      return codes.map { code in
        guard code == 0, let line = next.next() else {
          return CommandOutput(exitStatus: code, stdout: [], stderr: [])
        }
        return CommandOutput(exitStatus: 0, stdout: Array(line) + [UInt8(ascii: "\n")], stderr: [])
      }
    })

  /// Digests of every readable regular file in one `sha256sum`; a path that is not one gets
  /// exit 1 and a message, as `sha256sum` itself would fail on it.
  static let digestFusion = ProbeFusion(
    key: "sha256sum",
    subject: { command in
      let argv = command.argv
      guard command.stdin.isEmpty, argv.count == 3, argv[0] == "sha256sum", argv[1] == "--" else {
        return nil
      }
      return argv[2]
    },
    fused: { paths in
      ProbeCommand(
        [
          "sh", "-c",
          FusionText.filterScript(test: "[ -f \"$p\" ] && [ -r \"$p\" ]", reject: "r=1")
            + "[ $# -eq 0 ] && exit 0; exec sha256sum -- \"$@\"", "sha256sum",
        ] + paths)
    },
    split: { output, paths in
      guard let (codes, lines) = FusionText.codes(output, count: paths.count) else { return nil }
      guard output.exitStatus == 0, lines.count == codes.filter({ $0 == 0 }).count else { return nil }
      var next = lines.makeIterator()
      return zip(codes, paths).map { code, path in
        guard code == 0, var line = next.next() else {
          return CommandOutput(
            exitStatus: 1, stdout: [], stderr: Array("sha256sum: \(path): not a readable regular file\n".utf8)
          )
        }
        // sha256sum marks a line whose name it escaped with a leading backslash; the digest is
        // what follows it.
        if line.first == UInt8(ascii: "\\") { line = line.dropFirst() }
        return CommandOutput(exitStatus: 0, stdout: Array(line) + [UInt8(ascii: "\n")], stderr: [])
      }
    })

  /// Every `readlink -- PATH` in one shell loop.
  static let linkFusion = ProbeFusion(
    key: "readlink",
    subject: { command in
      let argv = command.argv
      guard command.stdin.isEmpty, argv.count == 3, argv[0] == "readlink", argv[1] == "--" else { return nil }
      return argv[2]
    },
    fused: { paths in
      ProbeCommand(["sh", "-c", FusionText.loopScript(["readlink", "--"]), "readlink"] + paths)
    },
    split: { output, paths in FusionText.splitLoop(output, count: paths.count) })
}
