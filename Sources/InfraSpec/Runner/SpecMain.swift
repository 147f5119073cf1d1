internal import Foundation

#if canImport(Glibc)
  internal import Glibc
#endif

/// The entry point of a compiled spec binary: the generated `main.swift` loads every spec file's
/// top-level code (which registers its `describe` groups), then hands over here.
@_spi(Runner)
public enum SpecMain {
  /// Runs what `arguments[1]` (a JSON `RunRequest`) asks for and exits with InfraSpec's exit code.
  public static func main(arguments: [String]) async -> Never {
    // A reader that goes away (`| head`) must end the run quietly, not kill it with SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    guard arguments.count >= 2,
      let request = try? JSONDecoder().decode(RunRequest.self, from: Data(arguments[1].utf8))
    else {
      OutputStream.standardError.write("infraspec: this spec binary is run by `infraspec run`\n")
      exit(ExitCode.usage.rawValue)
    }
    let checks = SpecRegistry.shared.checks.filter(request.options.selects)
    switch request.mode {
    case .list:
      if request.format == .json {
        listJSON(checks, family: request.listFamily)
      } else {
        list(checks, family: request.listFamily)
      }
      exit(0)
    case .run:
      var reporters: [any Reporter]
      do {
        reporters = try ReportOutputs.reporters(
          stdout: request.format, color: request.color, reports: request.reports,
          environment: ProcessInfo.processInfo.environment)
      } catch {
        OutputStream.standardError.write("infraspec: \(error.message)\n")
        exit(ExitCode.usage.rawValue)
      }
      let run = SpecRun(
        checks: checks, targets: HostConnector.targets(for: request), options: request.options,
        jobs: request.jobs)
      let ending = await run.execute(reporters: &reporters)
      exit(ending.interrupted ? ExitCode.interrupted.rawValue : ending.summary.exitCode.rawValue)
    }
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
