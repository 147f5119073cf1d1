internal import ArgumentParser
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports

/// Reports written to files besides stdout, shared by `run` and `report merge`.
struct ReportOptions: ParsableArguments {
  @Option(
    name: .customLong("report"),
    help: ArgumentHelp(
      "Also write a report to a file: FORMAT=PATH with FORMAT one of tap, human, junit, junit-strict, json, github (repeatable).",
      valueName: "format=path"),
    transform: { argument in
      guard let target = ReportTarget(argument) else {
        throw ValidationError(
          "--report wants FORMAT=PATH with FORMAT one of "
            + "\(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")), not \(argument)")
      }
      return target
    })
  var targets: [ReportTarget] = []

  func validate() throws {
    var paths: Set<String> = []
    for target in targets where !paths.insert(target.path).inserted {
      throw ValidationError("--report names \(target.path) twice: give each report its own file")
    }
  }
}
