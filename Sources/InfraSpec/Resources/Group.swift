@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A group, as every name service of the host resolves it.
///
///     Group("docker").exists().gid(999).hasMember("deploy")
public struct Group: Resource {
  public var __chain: __ResourceChain

  /// A group of the group database, by name.
  public init(_ name: String) {
    __chain = __ResourceChain(subject: "group \(name)", plan: AccountProbe.groupPlan(name))
  }

  /// The group exists.
  ///
  ///     Group("docker").exists()
  public func exists(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("exists", wanted: true, expected: "to exist", file: file, line: line, column: column)
  }

  /// The group's id.
  ///
  ///     Group("nogroup").gid(65534)
  ///
  /// Fails with `group nogroup: gid: expected 65534, got 65533`.
  public func gid(_ gid: Int, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("gid", expected: "\(gid)", file: file, line: line, column: column) { (facts: GroupFacts) in
      expectEqual(gid, facts.gid)
    }
  }

  /// The group database lists `user` as a member.
  public func hasMember(_ user: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "members", expected: "to include \(user)", title: "has member \(user)", file: file, line: line,
      column: column
    ) {
      (facts: GroupFacts) in
      facts.members.contains(user)
        ? .pass
        : .fail(
          expected: "to include \(user)",
          actual: facts.members.isEmpty ? "no members" : facts.members.joined(separator: ", "))
    }
  }

  /// Exactly these members, in any order.
  public func members(_ users: String..., file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let wanted = users.sorted().joined(separator: ", ")
    return adding(
      "members", expected: wanted.isEmpty ? "no members" : wanted, file: file, line: line, column: column
    ) {
      (facts: GroupFacts) in
      let actual = facts.members.sorted().joined(separator: ", ")
      return actual == wanted
        ? .pass
        : .fail(
          expected: wanted.isEmpty ? "no members" : wanted, actual: actual.isEmpty ? "no members" : actual)
    }
  }
}
