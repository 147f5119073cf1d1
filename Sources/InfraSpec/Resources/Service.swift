/// A service, as the host's service manager (systemd, OpenRC, SysV init) sees it.
///
///     Service("nginx").isRunning().isEnabled()
///     Service("telnet").isNotRunning()
public struct Service: Resource {
  public var __chain: __ResourceChain

  public init(_ name: String) {
    __chain = __ResourceChain(subject: "service \(name)", plan: ServiceProbe.plan(name))
  }

  public func isRunning(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("running", expected: "running", title: "is running", file: file, line: line, column: column) {
      (facts: ServiceFacts) in facts.running ? .pass : .fail(expected: "running", actual: facts.state)
    }
  }

  public func isNotRunning(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding(
      "running", expected: "not running", title: "is not running", file: file, line: line, column: column
    ) {
      (facts: ServiceFacts) in facts.running ? .fail(expected: "not running", actual: facts.state) : .pass
    }
  }

  /// Starts at boot.
  public func isEnabled(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("enabled", expected: "enabled", title: "is enabled", file: file, line: line, column: column) {
      (facts: ServiceFacts) in facts.enabled ? .pass : .fail(expected: "enabled", actual: "disabled")
    }
  }
}
