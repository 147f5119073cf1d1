@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A passwd entry and the groups its user belongs to.
struct UserFacts: Sendable {
  var uid: Int
  var gid: Int
  var home: String
  var shell: String
  /// Primary and supplementary group names, from `id -Gn`.
  var groups: [String]
}

/// A group entry; `members` are the supplementary members the group database lists.
struct GroupFacts: Sendable {
  var gid: Int
  var members: [String]
}

/// `getent` reads every NSS source (files, LDAP, sssd), which reading `/etc/passwd` would miss;
/// glibc's and musl's `getent` and busybox `id` print the same formats.
enum AccountProbe {
  static func userPlan(_ name: String) -> FactPlanner {
    { _ throws(ProbeError) in
      let passwd = ProbeCommand(["getent", "passwd", "--", name])
      let groups = ProbeCommand(["id", "-Gn", "--", name])
      return FactPlan(commands: [passwd, groups]) { outputs throws(ProbeError) in
        let entry = try outputs.output(passwd)
        // getent: exit 2 means "no such key".
        guard entry.exitStatus == 0 else {
          if entry.exitStatus == 2 { return .absent("no such user") }
          throw .other("\(passwd) failed: \(entry.stderrText.trimmingWhitespace())")
        }
        let fields = entry.stdoutText.trimmingWhitespace().split(
          separator: ":", omittingEmptySubsequences: false)
        guard fields.count >= 7, let uid = Int(fields[2]), let gid = Int(fields[3]) else {
          throw .unexpectedOutput(command: passwd.description, detail: entry.stdoutText)
        }
        let membership = try outputs.output(groups)
        return .present(
          UserFacts(
            uid: uid, gid: gid, home: String(fields[5]), shell: String(fields[6]),
            groups: membership.stdoutText.split(whereSeparator: \.isWhitespace).map(String.init)))
      }
    }
  }

  static func groupPlan(_ name: String) -> FactPlanner {
    { _ throws(ProbeError) in
      let command = ProbeCommand(["getent", "group", "--", name])
      return FactPlan(commands: [command]) { outputs throws(ProbeError) in
        let entry = try outputs.output(command)
        guard entry.exitStatus == 0 else {
          if entry.exitStatus == 2 { return .absent("no such group") }
          throw .other("\(command) failed: \(entry.stderrText.trimmingWhitespace())")
        }
        let fields = entry.stdoutText.trimmingWhitespace().split(
          separator: ":", omittingEmptySubsequences: false)
        guard fields.count >= 4, let gid = Int(fields[2]) else {
          throw .unexpectedOutput(command: command.description, detail: entry.stdoutText)
        }
        return .present(GroupFacts(gid: gid, members: fields[3].split(separator: ",").map(String.init)))
      }
    }
  }
}
