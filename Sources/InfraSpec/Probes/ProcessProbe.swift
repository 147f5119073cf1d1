/// One running process: its command name (the kernel's 15-character `comm`) and owner.
struct ProcessEntry: Sendable {
  var pid: Int
  var user: String
  var command: String
}

/// `ps -A -o pid=,user=,comm=`: procps and busybox both take this form.
enum ProcessProbe {
  static let command = ProbeCommand(["ps", "-A", "-o", "pid=", "-o", "user=", "-o", "comm="])

  static let plan: FactPlanner = { _ throws(ProbeError) in
    FactPlan(commands: [command]) { outputs throws(ProbeError) in
      let output = try outputs.output(command)
      guard output.exitStatus == 0 else {
        throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
      }
      return .present(try parse(output.stdoutText))
    }
  }

  static func parse(_ text: String) throws(ProbeError) -> [ProcessEntry] {
    var entries: [ProcessEntry] = []
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ", maxSplits: 2)
      // busybox prints a header even with `=`; it has no numeric pid.
      guard fields.count == 3, let pid = Int(fields[0]) else { continue }
      entries.append(ProcessEntry(pid: pid, user: String(fields[1]), command: fields[2].trimmingWhitespace()))
    }
    return entries
  }
}
