@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import FoundationEssentials
internal import Glibc

/// A timer's unit state and its next elapse, both on the host's clock.
struct TimerFacts: Sendable {
  var service: ServiceFacts
  /// Unix seconds of the next realtime elapse; nil when nothing is scheduled.
  var nextElapse: Int64?
  /// The host's clock when it was asked, so the bound never depends on this machine's clock.
  var now: Int64

  /// `45s`, `12m 5s`, `3h 20m`, `2d 4h`: two units are enough to judge a bound.
  static func span(_ seconds: Int64) -> String {
    let seconds = max(0, seconds)
    let units: [(Int64, String)] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")]
    var parts: [String] = []
    var rest = seconds
    for (size, name) in units where rest >= size || (parts.isEmpty && size == 1) {
      parts.append("\(rest / size)\(name)")
      rest %= size
      if parts.count == 2 || rest == 0 { break }
    }
    return parts.joined(separator: " ")
  }
}

/// systemd only: OpenRC and SysV init have no timers (cron is a separate resource's concern).
enum TimerProbe {
  static let clock = ProbeCommand(["date", "+%s"])

  static func plan(_ unit: String) -> FactPlanner {
    { profile throws(ProbeError) in
      try ServiceProbe.checkName(unit)
      switch profile.serviceManager {
      case .systemd: break
      case .none: throw ServiceProbe.noManager(profile)
      case .openrc, .sysvinit:
        throw .other("\(profile.serviceManager.rawValue) has no timer units; timers are systemd's")
      }
      let show = ServiceProbe.systemdShow(unit)
      // `systemctl show` prints NextElapseUSecRealtime in the host's local time whatever
      // --timestamp says (systemd 252); list-timers' JSON has it in microseconds since 1970.
      let timers = ProbeCommand([
        "systemctl", "list-timers", "--all", "--output=json", "--no-pager", "--", unit,
      ])
      return FactPlan(commands: [show, timers, clock]) { outputs throws(ProbeError) in
        let output = try outputs.output(show)
        guard output.exitStatus == 0 else {
          throw .other("\(show) failed: \(output.stderrText.trimmingWhitespace())")
        }
        guard
          case .present(let facts) = ServiceProbe.systemdPresence(
            HostProfile.parseOSRelease(output.stdoutText)),
          let service = facts as? ServiceFacts
        else { return .absent("no such unit") }
        let clockText = try outputs.output(clock).stdoutText.trimmingWhitespace()
        guard let now = Int64(clockText) else {
          throw .other("\(clock) printed \(TextMatch.show(clockText))")
        }
        let listed: [ListedTimer]
        do {
          listed = try JSONDecoder().decode([ListedTimer].self, from: Data(try outputs.output(timers).stdout))
        } catch let error as ProbeError {
          throw error
        } catch {
          throw .other("\(timers) printed no JSON list of timers: \(error)")
        }
        let next = listed.first { $0.unit == unit }?.next.map { $0 / 1_000_000 }
        return .present(TimerFacts(service: service, nextElapse: next, now: now))
      }
    }
  }

  /// One row of `systemctl list-timers --output=json`; `next` is null when nothing is scheduled.
  struct ListedTimer: Decodable {
    var unit: String
    var next: Int64?
  }
}
