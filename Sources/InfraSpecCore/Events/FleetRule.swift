/// How a fleet assertion compares one fact across hosts.
package struct FleetRule: Sendable {
  package enum Mode: String, Sendable {
    /// Every host has its own value (MAC addresses, per-PoP secrets).
    case unique
    /// Every host has the same value (SOA serial, a config checksum, a package version).
    case same
  }

  package var mode: Mode
  /// The fact's value on one host, from the resource's facts.
  package var value: @Sendable (any Sendable) -> String

  package init(mode: Mode, value: @escaping @Sendable (any Sendable) -> String) {
    self.mode = mode
    self.value = value
  }

  /// A difference among the hosts that answered is a failure even if others did not answer;
  /// agreement is only a pass when every host answered (`unknown` names those that did not).
  package func outcome(known: [(host: String, value: String)], unknown: [String]) -> Outcome {
    switch judge(known) {
    case .fail(let expected, let actual): .failed(expected: expected, actual: actual)
    case _ where !unknown.isEmpty: .couldNotCheck(reason: unknown.joined(separator: "; "))
    case .pass, .passed, .covered, .cannotCheck, .skip: .passed
    }
  }

  /// Judges the values the hosts reported; hosts are named in the failure.
  func judge(_ values: [(host: String, value: String)]) -> Verdict {
    var hostsByValue: [String: [String]] = [:]
    var order: [String] = []
    for (host, value) in values {
      if hostsByValue[value] == nil { order.append(value) }
      hostsByValue[value, default: []].append(host)
    }
    switch mode {
    case .unique:
      let shared = order.filter { hostsByValue[$0]!.count > 1 }
      guard !shared.isEmpty else { return .pass }
      return .fail(
        expected: "a different value on every host",
        actual: shared.map { "\($0) on \(hostsByValue[$0]!.joined(separator: ", "))" }.joined(separator: "; ")
      )
    case .same:
      guard order.count > 1 else { return .pass }
      return .fail(
        expected: "the same value on every host",
        actual: order.map { "\($0) on \(hostsByValue[$0]!.joined(separator: ", "))" }.joined(separator: "; "))
    }
  }
}
