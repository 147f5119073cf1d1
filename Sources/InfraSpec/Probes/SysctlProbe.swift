@_spi(Runner) internal import InfraSpecCore

/// How a kernel parameter is learned: its file under `/proc/sys`, read with `cat` (what
/// `sysctl -n` prints), the same on every OS family.
enum SysctlProbe {
  static func planner(key: String) -> FactPlanner {
    { _ throws(ProbeError) in
      // The key becomes a path under /proc/sys: nothing may climb out of it.
      let parts = key.split(separator: ".", omittingEmptySubsequences: false)
      guard !key.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == ".." || $0.contains("/") }) else {
        throw .other("not a sysctl key: \(TextMatch.show(key))")
      }
      let command = ProbeCommand(["cat", "/proc/sys/" + parts.joined(separator: "/")])
      return FactPlan(commands: [command]) { outputs throws(ProbeError) in
        let output = try outputs.output(command)
        guard output.exitStatus == 0 else {
          if output.stderrText.contains("No such file") { return .absent("no such sysctl") }
          throw .other("\(command) failed: \(output.stderrText.trimmingWhitespace())")
        }
        return .present(output.stdoutText)
      }
    }
  }
}
