@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A user account, as every name service of the host resolves it.
///
///     User("www-data").exists().uid(33).shell("/usr/sbin/nologin")
///     User("deploy").inGroups("sudo", "docker")
public struct User: Resource {
  public var __chain: __ResourceChain

  /// An account of the user database, by name.
  public init(_ name: String) {
    __chain = __ResourceChain(subject: "user \(name)", plan: AccountProbe.userPlan(name))
  }

  /// The user exists.
  ///
  ///     User("deploy").exists()
  public func exists(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("exists", wanted: true, expected: "to exist", file: file, line: line, column: column)
  }

  /// No such user.
  ///
  ///     User("games").doesNotExist()
  ///
  /// Fails with `user games: does not exist: expected no such user, got uid 5`.
  public func doesNotExist(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence(
      "does not exist", wanted: false, expected: "no such user", file: file, line: line, column: column
    ) {
      facts in (facts as? UserFacts).map { "uid \($0.uid)" } ?? "present"
    }
  }

  /// The user's id.
  ///
  ///     User("root").uid(0)
  ///
  /// Fails with `user root: uid: expected 0, got 1000`.
  public func uid(_ uid: Int, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("uid", expected: "\(uid)", file: file, line: line, column: column) { (facts: UserFacts) in
      expectEqual(uid, facts.uid)
    }
  }

  /// The primary group's id.
  public func gid(_ gid: Int, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("gid", expected: "\(gid)", file: file, line: line, column: column) { (facts: UserFacts) in
      expectEqual(gid, facts.gid)
    }
  }

  /// The home directory.
  ///
  ///     User("root").home("/root")
  ///
  /// Fails with `user root: home: expected /root, got /home/root`.
  public func home(_ path: String, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self
  {
    adding("home", expected: path, file: file, line: line, column: column) { (facts: UserFacts) in
      expectEqual(path, facts.home)
    }
  }

  /// The login shell.
  ///
  ///     User("nobody").shell("/usr/sbin/nologin")
  ///
  /// Fails with `user nobody: shell: expected /usr/sbin/nologin, got /bin/sh`.
  public func shell(_ path: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding("shell", expected: path, file: file, line: line, column: column) { (facts: UserFacts) in
      expectEqual(path, facts.shell)
    }
  }

  /// Member of every group named (primary or supplementary); other memberships are allowed.
  public func inGroups(
    _ groups: String..., file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let wanted = groups.joined(separator: ", ")
    return adding(
      "groups", expected: "to include \(wanted)", title: "in groups \(wanted)", file: file, line: line,
      column: column
    ) {
      (facts: UserFacts) in
      let missing = groups.filter { !facts.groups.contains($0) }
      return missing.isEmpty
        ? .pass
        : .fail(
          expected: "to include \(wanted)",
          actual: facts.groups.joined(separator: ", ") + " (missing \(missing.joined(separator: ", ")))")
    }
  }
}
