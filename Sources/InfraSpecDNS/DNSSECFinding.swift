@_spi(Runner) internal import InfraSpecCore

/// One verdict of a DNSSEC audit, with a message in InfraSpec's failure grammar.
package struct DNSSECFinding: Sendable, Hashable, CustomStringConvertible {
  enum Verdict: Sendable, Hashable {
    case passed
    case failed
  }

  /// What the finding is about; delv and ldns judge only `signed`, `signature`, `delegation`, `denial`.
  package enum Topic: Sendable, Hashable {
    /// The zone publishes signed DNSKEYs.
    case signed
    /// An RRSIG verifies and is inside its validity period.
    case signature
    /// An RRSIG stays valid for as long as the spec wants.
    case lifetime
    /// The parent's DS records match the zone's keys.
    case delegation
    /// NSEC or NSEC3 prove that a name or type does not exist.
    case denial
    /// Valid but discouraged: SHA-1 DS, NSEC3 iterations, deprecated algorithms.
    case policy
    /// Authoritative servers agree on the SOA serial.
    case serial
    /// What a check covered ("41 RRsets at 17 names"); said with its verdict, never a verdict itself.
    case coverage
  }

  var verdict: Verdict
  package var topic: Topic
  package var message: String

  package var passed: Bool { verdict == .passed }

  /// Whether an independent DNSSEC validator decides the same question.
  var isValidity: Bool { [.signed, .signature, .delegation, .denial].contains(topic) }

  package static func passed(_ topic: Topic, _ message: String) -> DNSSECFinding {
    DNSSECFinding(verdict: .passed, topic: topic, message: message)
  }

  package static func failed(_ topic: Topic, _ message: String) -> DNSSECFinding {
    DNSSECFinding(verdict: .failed, topic: topic, message: message)
  }

  package var description: String {
    "\(passed ? "pass" : "FAIL"): \(message)"
  }
}
