@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A service, as the host's service manager (systemd, OpenRC, SysV init) sees it.
///
///     Service("nginx").isRunning().isEnabled()
///     Service("telnet").isNotRunning()
public struct Service: Resource {
  public var __chain: __ResourceChain

  /// A service of the host's init system (systemd, OpenRC or sysv-rc), by name.
  public init(_ name: String) {
    __chain = __ResourceChain(subject: "service \(name)", plan: ServiceProbe.plan(name))
  }

  /// The manager knows the service (a unit file, an init script); a failed one exists too.
  public func exists(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("exists", wanted: true, expected: "to exist", file: file, line: line, column: column)
  }

  /// The manager has no such service.
  public func doesNotExist(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence(
      "does not exist", wanted: false, expected: "no such service", file: file, line: line, column: column
    ) { facts in (facts as? ServiceFacts)?.state ?? "present" }
  }

  /// Running now: systemd's `active` or `reloading`, OpenRC's `started`, under sysv-rc a pid file
  /// its init script names that names a live process (read, never by running the script). A systemd
  /// unit still `activating` is not running yet.
  public func isRunning(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("running", expected: "running", title: "is running", file: file, line: line, column: column) {
      (facts: ServiceFacts) in facts.running ? .pass : .fail(expected: "running", actual: facts.state)
    }
  }

  /// The service is not running.
  ///
  ///     Service("telnet").isNotRunning()
  ///
  /// Fails with `service telnet: running: expected not running, got active (running)`: the state
  /// the init system reports.
  public func isNotRunning(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding(
      "running", expected: "not running", title: "is not running", file: file, line: line, column: column
    ) {
      (facts: ServiceFacts) in facts.running ? .fail(expected: "not running", actual: facts.state) : .pass
    }
  }

  /// Starts at boot by itself: a static, masked, indirect or transient systemd unit does not, and
  /// the failure names which it is.
  public func isEnabled(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("enabled", expected: "enabled", title: "is enabled", file: file, line: line, column: column) {
      (facts: ServiceFacts) in facts.enabled ? .pass : .fail(expected: "enabled", actual: facts.enablement)
    }
  }

  /// Does not start at boot by itself.
  public func isNotEnabled(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding(
      "enabled", expected: "not enabled", title: "is not enabled", file: file, line: line, column: column
    ) {
      (facts: ServiceFacts) in
      facts.enabled ? .fail(expected: "not enabled", actual: facts.enablement) : .pass
    }
  }
}
