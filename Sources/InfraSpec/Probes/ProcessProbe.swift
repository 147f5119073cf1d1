@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import FoundationEssentials

#if canImport(Glibc)
  internal import Glibc
#endif

/// One running process: its command name (the kernel's 15-character `comm`) and owner.
struct ProcessEntry: Sendable {
  var pid: Int
  var parent: Int
  var user: String
  var command: String
}

/// `ps -A -o pid=,ppid=,user=,comm=` (procps and busybox both take this form), run through a
/// shell that first prints its own pid: `exec` makes that the pid of `ps`, so the table says
/// which processes are InfraSpec's own and they can be left out (see `withoutOwnProcesses`).
enum ProcessProbe {
  static let command = ProbeCommand([
    "sh", "-c", "echo $$; exec ps -A -o pid= -o ppid= -o user= -o comm=", "ps",
  ])

  static let plan: FactPlanner = { _ throws(ProbeError) in
    FactPlan(commands: [command]) { outputs throws(ProbeError) in
      let output = try outputs.output(command)
      if output.exitStatus == 127 { throw .commandNotFound("ps") }
      guard output.exitStatus == 0 else {
        throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
      }
      return .present(withoutOwnProcesses(try parse(output.stdoutText)))
    }
  }

  /// The pid `ps` reported for itself, and the table.
  static func parse(_ text: String) throws(ProbeError) -> (own: Int?, entries: [ProcessEntry]) {
    var lines = text.split(separator: "\n")[...]
    let own = lines.first.flatMap { Int($0.trimmingWhitespace()) }
    if own != nil { lines = lines.dropFirst() }
    var entries: [ProcessEntry] = []
    for line in lines {
      let fields = line.split(separator: " ", maxSplits: 3)
      // busybox may print a header even with `=`; it has no numeric pid.
      guard fields.count == 4, let pid = Int(fields[0]), let parent = Int(fields[1]) else { continue }
      entries.append(
        ProcessEntry(
          pid: pid, parent: parent, user: String(fields[2]), command: fields[3].trimmingWhitespace()))
    }
    return (own, entries)
  }

  /// Programs InfraSpec puts between a batch's root shell and a probe.
  static let helperCommands: Set<String> = ["sh", "sudo", "setsid"]

  /// This spec binary, as `ps` on this machine shows it: a local probe's parent.
  static let thisProcess: (pid: Int, command: String) = {
    let comm = (try? String(contentsOfFile: "/proc/self/comm", encoding: .utf8)) ?? ""
    return (Int(getpid()), comm.trimmingWhitespace())
  }()

  /// The table without InfraSpec's own processes: `ps` itself, and the subtree of the process it
  /// was started from. That root is found by climbing from `ps` through its helpers (`sh`, `sudo`,
  /// `setsid`: over SSH up to the batch's `sh -s`), or locally up to this spec binary; every
  /// descendant of it (other probes, their watchdogs' `sleep`) is ours too.
  static func withoutOwnProcesses(
    _ table: (own: Int?, entries: [ProcessEntry]), local: (pid: Int, command: String) = thisProcess
  ) -> [ProcessEntry] {
    guard let own = table.own else { return table.entries }
    let byPID = Dictionary(table.entries.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
    var root = own
    var current = byPID[own].flatMap { byPID[$0.parent] }
    // Bounded: a hostile table could make the parent links a cycle.
    for _ in 0..<64 {
      guard let process = current else { break }
      let isThisBinary = process.pid == local.pid && process.command == local.command
      guard helperCommands.contains(process.command) || isThisBinary else { break }
      root = process.pid
      // Locally the spec binary is the root: its parent (the `infraspec` command) is not ours to hide.
      if isThisBinary { break }
      current = byPID[process.parent]
    }
    var children: [Int: [Int]] = [:]
    for entry in table.entries { children[entry.parent, default: []].append(entry.pid) }
    var ours: Set<Int> = []
    var pending = [root, own]
    while let pid = pending.popLast() {
      if ours.insert(pid).inserted { pending += children[pid] ?? [] }
    }
    return table.entries.filter { !ours.contains($0.pid) }
  }
}
