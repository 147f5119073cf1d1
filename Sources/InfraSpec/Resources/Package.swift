@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A system package, with versions ordered the way its own package manager orders them.
///
///     Package("nginx").isInstalled().version(atLeast: "1.22")
///     Package("telnetd").isNotInstalled()
public struct Package: Resource {
  public var __chain: __ResourceChain
  let name: String

  /// A package of the host's package manager (dpkg, rpm or apk), by name.
  public init(_ name: String) {
    self.name = name
    __chain = __ResourceChain(subject: "package \(name)", plan: PackageProbe.plan(name))
  }

  /// The package is installed.
  ///
  ///     Package("nginx").isInstalled()
  public func isInstalled(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence(
      "is installed", wanted: true, expected: "installed", file: file, line: line, column: column)
  }

  /// The package is not installed.
  ///
  ///     Package("telnetd").isNotInstalled()
  ///
  /// Fails with `package telnetd: is not installed: expected not installed, got installed 0.17-44`.
  public func isNotInstalled(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence(
      "is not installed", wanted: false, expected: "not installed", file: file, line: line, column: column
    ) { facts in (facts as? PackageFacts).map { "installed \($0.version)" } ?? "installed" }
  }

  /// Exactly this version (same in the manager's ordering: `1:2.0` is not `2.0`). A version that
  /// starts with a comparison (`">= 1.2"`) is a spec mistake: ranges are `version(atLeast:)` and
  /// `version(below:)`.
  public func version(_ version: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let trimmed = version.drop { $0 == " " }
    if let first = trimmed.first, "<>=!~^".contains(first) {
      let bare = trimmed.drop { "<>=!~^ ".contains($0) }
      return addingMistake(
        "version", expected: version, title: "version \(version)",
        message: "version(\"\(version)\") compares exactly, it is not a range; write "
          + "version(atLeast: \"\(bare)\") or version(below: \"\(bare)\")",
        file: file, line: line, column: column)
    }
    return compare(to: version, expected: version, wanted: [.same], file: file, line: line, column: column)
  }

  /// The installed version is `minimum` or newer, in the package manager's ordering.
  ///
  ///     Package("openssl").version(atLeast: "3.0.11")
  ///
  /// Fails with `package openssl: version: expected >= 3.0.11, got 3.0.9-1`.
  public func version(
    atLeast minimum: String, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    compare(
      to: minimum, expected: ">= \(minimum)", wanted: [.same, .newer], file: file, line: line, column: column)
  }

  /// The installed version is older than `limit`, in the package manager's ordering.
  ///
  ///     Package("nginx").version(below: "1.25")
  ///
  /// Fails with `package nginx: version: expected < 1.25, got 1.26.0-1`.
  public func version(below limit: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    compare(to: limit, expected: "< \(limit)", wanted: [.older], file: file, line: line, column: column)
  }

  private func compare(
    to reference: String, expected: String, wanted: Set<VersionOrder>, file: String, line: Int, column: Int
  ) -> Self {
    adding("version", expected: expected, file: file, line: line, column: column) { (facts: PackageFacts) in
      wanted.contains(PackageVersion.compare(facts.version, reference, scheme: facts.scheme))
        ? .pass : .fail(expected: expected, actual: facts.version)
    }
  }
}
