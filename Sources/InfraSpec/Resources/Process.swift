@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// Processes by command name (the kernel's `comm`, at most 15 characters).
///
///     Process("sshd").isRunning(as: "root")
///     Process("nginx").owner(allAre: "www-data").count(atLeast: 2)
///
/// InfraSpec's own processes (the probes, their shells, a remote batch's `sh -s`) are not counted,
/// so `Process("sh")` or `Process("sleep")` see only the host's. Written alone, `Process("x")`
/// checks that it is running. Foundation also has a `Process`: a spec file that imports Foundation
/// writes `InfraSpec.Process`.
public struct Process: Resource {
  public var __chain: __ResourceChain
  let name: String

  /// Processes by command name (as `pgrep -x` matches it); InfraSpec's own never count.
  public init(_ name: String) {
    self.name = name
    __chain = __ResourceChain(subject: "process \(name)", plan: ProcessProbe.plan)
  }

  /// At least one such process runs.
  ///
  ///     Process("sshd").isRunning()
  ///
  /// Fails with `process sshd: running: expected running, got not running`.
  public func isRunning(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    let name = self.name
    return adding("running", expected: "running", title: "is running", file: file, line: line, column: column)
    {
      (all: [ProcessEntry]) in
      Self.matching(all, name).isEmpty ? .fail(expected: "running", actual: "not running") : .pass
    }
  }

  /// No such process runs.
  ///
  ///     Process("telnetd").isNotRunning()
  public func isNotRunning(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    let name = self.name
    return adding(
      "running", expected: "not running", title: "is not running", file: file, line: line, column: column
    ) {
      (all: [ProcessEntry]) in
      let found = Self.matching(all, name)
      return found.isEmpty
        ? .pass
        : .fail(
          expected: "not running",
          actual: "running as pid " + found.map { "\($0.pid)" }.joined(separator: ", "))
    }
  }

  /// Exactly this many processes of that name.
  public func count(_ count: Int, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self
  {
    let name = self.name
    return adding("count", expected: "\(count)", file: file, line: line, column: column) {
      (all: [ProcessEntry]) in
      expectEqual(count, Self.matching(all, name).count)
    }
  }

  /// At least `minimum` such processes run.
  ///
  ///     Process("nginx").count(atLeast: 2)
  ///
  /// Fails with `process nginx: count: expected >= 2, got 1`.
  public func count(atLeast minimum: Int, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let name = self.name
    return adding("count", expected: ">= \(minimum)", file: file, line: line, column: column) {
      (all: [ProcessEntry]) in
      let count = Self.matching(all, name).count
      return count >= minimum ? .pass : .fail(expected: ">= \(minimum)", actual: "\(count)")
    }
  }

  /// Some process of that name runs as `user` (others may run as someone else: sshd's
  /// pre-authentication child runs as `sshd`).
  public func isRunning(
    as user: String, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let name = self.name
    return adding(
      "owner", expected: "running as \(user)", title: "is running as \(user)", file: file, line: line,
      column: column
    ) { (all: [ProcessEntry]) in
      let owners = Set(Self.matching(all, name).map(\.user)).sorted()
      if owners.isEmpty { return .fail(expected: "running as \(user)", actual: "not running") }
      return owners.contains(user)
        ? .pass
        : .fail(expected: "running as \(user)", actual: "running as " + owners.joined(separator: ", "))
    }
  }

  /// Every process of that name runs as `user` (and at least one runs).
  public func owner(allAre user: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let name = self.name
    return adding(
      "owner", expected: "all \(user)", title: "owner of all is \(user)", file: file, line: line,
      column: column
    ) {
      (all: [ProcessEntry]) in
      let found = Self.matching(all, name)
      if found.isEmpty { return .fail(expected: "all \(user)", actual: "not running") }
      let owners = Set(found.map(\.user)).sorted()
      return owners == [user] ? .pass : .fail(expected: "all \(user)", actual: owners.joined(separator: ", "))
    }
  }

  /// Ambiguous (some process, or every one?), so it does not compile; say which is meant.
  @available(
    *, unavailable,
    message: "say which is meant: isRunning(as:) for some process of that name, owner(allAre:) for every one"
  )
  public func owner(_ user: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  { owner(allAre: user, file: file, line: line, column: column) }

  /// Written alone, `Process("nginx")` checks that it is running.
  public func __whenBare(file: String, line: Int, column: Int) -> Self {
    isRunning(file: file, line: line, column: column)
  }

  /// `comm` is truncated to 15 bytes by the kernel, so a longer name is compared by that prefix.
  private static func matching(_ all: [ProcessEntry], _ name: String) -> [ProcessEntry] {
    let key = String(decoding: name.utf8.prefix(15), as: UTF8.self)
    return all.filter { $0.command == key }
  }
}
