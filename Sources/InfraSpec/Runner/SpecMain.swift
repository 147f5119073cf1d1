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

/// The entry point of a compiled spec binary: the generated `main.swift` loads every spec file's
/// top-level code (which registers its `describe` groups), then hands over here.
@_spi(Runner)
public enum SpecMain {
  /// Runs the spec files' top-level code with Swift's `print` sent to standard error.
  ///
  /// `print` is buffered on stdout and would land after the report's last line (after the TAP
  /// plan, which consumers reject); stdout belongs to the report, logs go to stderr.
  public static func loadingSpecs(_ body: () -> Void) {
    let report = dup(STDOUT_FILENO)
    guard report >= 0 else { return body() }
    dup2(STDERR_FILENO, STDOUT_FILENO)
    body()
    fflush(nil)  // what `print` buffered goes out while fd 1 is still standard error
    dup2(report, STDOUT_FILENO)
    close(report)
  }

  /// Runs what `arguments[1]` (a JSON `RunRequest`) asks for and exits with InfraSpec's exit code.
  public static func main(arguments: [String]) async -> Never {
    // Whoever started us may have left signals blocked; Ctrl-C must still work.
    Interruption.unblockSignals()
    // A reader that goes away (`| head`) must end the run quietly, not kill it with SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    guard arguments.count >= 2,
      let request = try? JSONDecoder().decode(RunRequest.self, from: Data(arguments[1].utf8))
    else {
      OutputStream.standardError.write("infraspec: this spec binary is run by `infraspec run`\n")
      exit(ExitCode.usage.rawValue)
    }
    let all = SpecRegistry.shared.checks
    let checks = all.filter(request.options.selects)
    switch request.mode {
    case .list:
      if request.format == .json {
        listJSON(checks, family: request.listFamily)
      } else {
        list(checks, family: request.listFamily)
      }
      exit(0)
    case .run:
      guard !checks.isEmpty else {
        OutputStream.standardError.write(
          "infraspec: nothing to check: \(nothingSelected(all, request.options))\n")
        exit(ExitCode.nothingChecked.rawValue)
      }
      if let watch = request.watch { await WatchLoop(checks: checks, request: request, watch: watch).run() }
      var reporters: [any Reporter]
      do {
        reporters = try ReportOutputs.reporters(
          stdout: request.format, color: request.color, reports: request.reports,
          environment: ProcessInfo.processInfo.environment, verbose: request.verbose,
          view: HumanView(
            verbose: request.verbose, failuresOnly: request.failuresOnly, columns: request.columns))
      } catch {
        OutputStream.standardError.write("infraspec: \(error.message)\n")
        exit(ExitCode.usage.rawValue)
      }
      if let journal = request.journal, let writer = RunJournal.writer(atPath: journal) {
        reporters.append(writer)
      }
      for selector in request.options.selection.lines where !all.contains(where: selector.selects) {
        OutputStream.standardError.write("infraspec: \(selector) selects no check; running the others\n")
      }
      if let path = request.failureMemory {
        reporters.append(FailureMemory(path: path, planned: checks))
      }
      let run = SpecRun(
        checks: checks, targets: HostConnector.targets(for: request), options: request.options,
        jobs: request.jobs, shard: request.shard)
      let ending = await run.execute(reporters: &reporters)
      let failures = OutputStream.failures
      if !failures.isEmpty {
        for failure in failures { OutputStream.standardError.write("infraspec: \(failure)\n") }
        exit(ExitCode.reportNotWritten.rawValue)
      }
      if ending.interrupted { exit(ExitCode.interrupted.rawValue) }
      if ending.summary.exitCode == .nothingChecked {
        OutputStream.standardError.write(
          "infraspec: nothing was checked: no check applies to the hosts of this run "
            + "(\(ending.summary.skipped) skipped)\n")
      }
      exit(ending.summary.exitCode.rawValue)
    }
  }

  /// What selected nothing: the spec files, or which tag filter.
  static func nothingSelected(_ all: [Check], _ options: RunOptions) -> String {
    guard !all.isEmpty else { return "the spec files define no checks (is every describe empty?)" }
    var tagsOnly = options
    tagsOnly.selection = CheckSelection()
    let tagged = all.filter(tagsOnly.selects)
    if !tagged.isEmpty, let why = options.selection.nothingSelected(tagged) { return why }
    let known = Set(all.flatMap(\.tags)).sorted()
    let used = known.isEmpty ? "no check has a tag" : "tags used: \(known.joined(separator: ", "))"
    if !options.tags.isEmpty {
      let plural = options.tags.count == 1 ? "" : "s"
      return "no check has tag\(plural) \(options.tags.joined(separator: ", ")) (\(used))"
    }
    return "--skip-tag \(options.skipTags.joined(separator: ", ")) skips all \(all.count) checks"
  }

  /// `file:line:column  name` and, indented, the commands the check runs on that family.
  static func list(_ checks: [Check], family: HostProfile.Family) {
    let profile = HostProfile(
      family: family, osName: family.rawValue, serviceManager: family == .alpine ? .openrc : .systemd,
      initProcess: "")
    var text = ""
    for check in checks {
      text += "\(check.location)  \(check.name)\n"
      do throws(ProbeError) {
        let plan = try check.plan(profile)
        for command in plan.commands { text += "    $ \(command)\n" }
        // Network queries (DNS, TLS, HTTP) that InfraSpec itself asks, from the host's side.
        for query in plan.queries { text += "    ~ \(query)\n" }
      } catch {
        text += "    (could not check on \(family.rawValue): \(error.message))\n"
      }
    }
    text += "\(checks.count) checks\n"
    OutputStream.standardOutput.write(text)
  }
}
