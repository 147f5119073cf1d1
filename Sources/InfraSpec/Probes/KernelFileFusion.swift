@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// How reads of kernel files fuse: every `cat` of a `/proc` or `/sys` file a host's checks need
/// (sysctls, mounts, sockets, interface attributes) is one `awk` reading them all.
///
/// Not shell builtins: dash's and busybox's `read` take one byte per system call, and a sysctl
/// file read at an offset answers with its first byte only (`ip_local_port_range` came back as
/// `3`). Only kernel text files qualify (no `/proc/PID/cmdline`, nothing under `/..`), and every
/// line comes back prefixed (`|` a line, `=` a new file), so no content can forge a frame. A
/// last line without a newline comes back with one: kernel text files end in one.
enum KernelFileFusion {
  /// Kernel files read this way: text by construction.
  static func qualifies(_ path: String) -> Bool {
    guard !path.contains("/..") else { return false }
    let prefixes = ["/proc/sys/", "/proc/net/", "/sys/"]
    let files: Set<String> = [
      "/proc/mounts", "/proc/self/mounts", "/proc/self/mountinfo", "/proc/1/comm", "/proc/modules",
      "/proc/loadavg", "/proc/uptime", "/proc/swaps", "/proc/filesystems",
    ]
    return files.contains(path) || prefixes.contains { path.hasPrefix($0) }
  }

  /// A code per path first (0 readable, 1 missing, 2 not readable, 3 a directory), decided by
  /// `test`; then `awk` prints each readable file, in order.
  static let script =
    FusionText.filterScript(
      test: "[ ! -d \"$p\" ] && [ -r \"$p\" ]",
      reject: "if [ -d \"$p\" ]; then r=3; elif [ -e \"$p\" ]; then r=2; else r=1; fi")
    + "[ $# -eq 0 ] && exit 0; exec awk -- "
    + "'BEGIN { for (i = 1; i < ARGC; i++) { print \"=\"; while ((getline l < ARGV[i]) > 0) print \"|\" l; close(ARGV[i]) } }' "
    + "\"$@\""

  static let fusion = ProbeFusion(
    key: "read",
    subject: { command in
      let argv = command.argv
      guard command.stdin.isEmpty, argv.first == "cat" else { return nil }
      let path: String
      if argv.count == 2 && !argv[1].hasPrefix("-") {
        path = argv[1]
      } else if argv.count == 3 && argv[1] == "--" {
        path = argv[2]
      } else {
        return nil
      }
      return qualifies(path) ? path : nil
    },
    fused: { paths in ProbeCommand(["sh", "-c", script, "read"] + paths) },
    split: { output, paths in
      guard output.exitStatus == 0, let (codes, lines) = FusionText.codes(output, count: paths.count) else {
        return nil
      }
      var contents: [[UInt8]] = []
      for line in lines {
        guard let tag = line.first else { return nil }
        if tag == UInt8(ascii: "=") && line.count == 1 {
          contents.append([])
        } else if tag == UInt8(ascii: "|") && !contents.isEmpty {
          contents[contents.count - 1] += line.dropFirst() + [UInt8(ascii: "\n")]
        } else {
          return nil
        }
      }
      guard contents.count == codes.filter({ $0 == 0 }).count else { return nil }
      var next = contents.makeIterator()
      return zip(paths, codes).map { path, code in
        let reason: String
        switch code {
        case 0: return CommandOutput(exitStatus: 0, stdout: next.next() ?? [], stderr: [])
        case 1: reason = "No such file or directory"
        case 2: reason = "Permission denied"
        default: reason = "Is a directory"
        }
        // What `cat` itself prints, which the probes' parsers read (`No such file` is absent).
        return CommandOutput(exitStatus: 1, stdout: [], stderr: Array("cat: \(path): \(reason)\n".utf8))
      }
    })
}
