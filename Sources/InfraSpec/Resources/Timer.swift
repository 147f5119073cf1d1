@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A systemd timer unit: whether it is armed and when it fires next.
///
///     Timer("logrotate").isActive().isEnabled().nextElapse(within: .days(1))
///
/// Foundation also has a `Timer`: a spec file that imports Foundation writes `InfraSpec.Timer`.
public struct Timer: Resource {
  public var __chain: __ResourceChain

  /// `logrotate` and `logrotate.timer` name the same timer.
  public init(_ name: String) {
    let unit = name.hasSuffix(".timer") ? name : name + ".timer"
    __chain = __ResourceChain(subject: "timer \(unit)", plan: TimerProbe.plan(unit))
  }

  /// Armed (`active (waiting)`), or running its service right now (`active (running)`).
  public func isActive(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("active", expected: "active", title: "is active", file: file, line: line, column: column) {
      (facts: TimerFacts) in
      facts.service.running ? .pass : .fail(expected: "active", actual: facts.service.state)
    }
  }

  /// Armed at boot by itself (see `Service.isEnabled`).
  public func isEnabled(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("enabled", expected: "enabled", title: "is enabled", file: file, line: line, column: column) {
      (facts: TimerFacts) in
      facts.service.enabled ? .pass : .fail(expected: "enabled", actual: facts.service.enablement)
    }
  }

  /// Fires next within `bound` from now, on the host's own clock.
  public func nextElapse(
    within bound: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let limit = bound.components.seconds
    let wanted = "within \(TimerFacts.span(limit))"
    return adding(
      "next elapse", expected: wanted, title: "next elapse \(wanted)", file: file, line: line, column: column
    ) {
      (facts: TimerFacts) in
      guard let next = facts.nextElapse else {
        return .fail(
          expected: wanted, actual: "never (nothing scheduled; the timer is \(facts.service.state))")
      }
      let left = next - facts.now
      return left <= limit ? .pass : .fail(expected: wanted, actual: "in \(TimerFacts.span(left))")
    }
  }
}
