@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// One line of `/proc/mounts`.
struct MountEntry: Sendable {
  var device: String
  var mountPoint: String
  var filesystem: String
  var options: [String]
}

/// `/proc/mounts` is the kernel's own view: the same on every family, no `findmnt` needed.
enum MountProbe {
  static let command = ProbeCommand(["cat", "/proc/mounts"])

  static func plan(_ mountPoint: String) -> FactPlanner {
    { _ throws(ProbeError) in
      FactPlan(commands: [command]) { outputs throws(ProbeError) in
        let output = try outputs.output(command)
        guard output.exitStatus == 0 else {
          throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
        }
        // The last entry for a path is the one on top (a later mount hides earlier ones).
        let entry = parse(output.stdoutText).last { $0.mountPoint == mountPoint }
        return entry.map { .present($0) } ?? .absent("not mounted")
      }
    }
  }

  static func parse(_ text: String) -> [MountEntry] {
    text.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count >= 4 else { return nil }
      return MountEntry(
        device: unescape(fields[0]), mountPoint: unescape(fields[1]), filesystem: String(fields[2]),
        options: fields[3].split(separator: ",").map(String.init))
    }
  }

  /// The kernel writes space, tab, newline and backslash in paths as `\040`-style octal.
  static func unescape(_ field: Substring) -> String {
    var bytes: [UInt8] = []
    var utf8 = Array(field.utf8)[...]
    while let byte = utf8.popFirst() {
      if byte == UInt8(ascii: "\\"), utf8.count >= 3,
        let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8)
      {
        bytes.append(value)
        utf8 = utf8.dropFirst(3)
      } else {
        bytes.append(byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
