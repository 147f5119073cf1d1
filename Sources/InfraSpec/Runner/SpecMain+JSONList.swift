@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import FoundationEssentials
internal import Glibc

extension SpecMain {
  /// One check as `infraspec list --format json` shows it.
  private struct ListedCheck: Encodable {
    var name: String
    var subject: String
    var property: String
    var file: String
    var line: Int
    var column: Int
    var tags: [String]
    /// Argv of each probe command on the family listed; nil when the check cannot run there.
    var commands: [[String]]?
    var couldNotCheck: String?
  }

  private struct ListDocument: Encodable {
    var version = 1
    var family: String
    var checks: [ListedCheck]
  }

  /// `infraspec list --format json`: every check with its spec line, tags and probe commands
  /// (as argv arrays) on `family`, for tools and editors.
  static func listJSON(_ checks: [Check], family: HostProfile.Family) {
    let profile = HostProfile(
      family: family, osName: family.rawValue, serviceManager: family == .alpine ? .openrc : .systemd,
      initProcess: "")
    let listed = checks.map { check in
      var entry = ListedCheck(
        name: check.name, subject: check.subject, property: check.property, file: check.location.file,
        line: check.location.line, column: check.location.column, tags: check.tags.sorted())
      do throws(ProbeError) {
        entry.commands = try check.plan(profile).commands.map(\.argv)
      } catch {
        entry.couldNotCheck = error.message
      }
      return entry
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(ListDocument(family: family.rawValue, checks: listed))) ?? Data()
    OutputStream.standardOutput.write(String(decoding: data, as: UTF8.self) + "\n")
  }
}
