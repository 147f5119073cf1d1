/// A check's verdict on one host, with everything reporters print about it.
@_spi(Runner)
public struct CheckResult: Sendable, Codable, Equatable {
  /// The inventory name of the host, or `localhost`.
  public var host: String
  /// 1-based position among the host's checks, in spec order.
  public var number: Int
  /// The titles of the enclosing `describe` blocks, outermost first.
  public var groups: [String]
  /// What was checked: `file /etc/passwd`, `service nginx`.
  public var subject: String
  /// Which aspect of the subject: `mode`, `owner`, `running`.
  public var property: String
  /// The check as a test point names it: `is running`, `mode 0644`.
  public var title: String
  /// Where the check was written.
  public var location: SourceLocation
  /// The tags of the check and of the `describe` blocks around it.
  public var tags: [String]
  /// The verdict, with what was expected and what was found.
  public var outcome: Outcome
  /// The commands whose output decided the verdict, as a shell would show them.
  public var probes: [String]
  /// How long the check took, probes included.
  public var durationMilliseconds: Double
  /// What a passing check found (`0644`, `1.22.1-1`), when the resource says; failures carry
  /// theirs in the outcome.
  public var found: String? = nil
  /// What a passing check covered (a whole-zone DNSSEC check: how many RRsets at how many names),
  /// shown on its line in every view.
  public var coverage: String? = nil

  package init(
    host: String, number: Int, groups: [String], subject: String, property: String, title: String,
    location: SourceLocation, tags: [String], outcome: Outcome, probes: [String],
    durationMilliseconds: Double,
    found: String? = nil, coverage: String? = nil
  ) {
    self.host = host
    self.number = number
    self.groups = groups
    self.subject = subject
    self.property = property
    self.title = title
    self.location = location
    self.tags = tags
    self.outcome = outcome
    self.probes = probes
    self.durationMilliseconds = durationMilliseconds
    self.found = found
    self.coverage = coverage
  }

  /// Describe titles, subject and property: the test's name in every report.
  public var name: String { (groups + ["\(subject): \(title)"]).joined(separator: " › ") }

  /// The one-line failure grammar: `interface eth0: mtu: expected 9000, got 1500`.
  public var message: String {
    switch outcome {
    case .passed: "\(subject): \(title)"
    case .failed(let expected, let actual):
      "\(subject): \(property): expected \(expected), got \(actual)"
    case .couldNotCheck(let reason): "\(subject): \(property): could not check: \(reason)"
    case .skipped(let reason): "\(subject): \(property): skipped: \(reason)"
    }
  }
}
