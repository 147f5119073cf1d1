@_spi(Runner) public import InfraSpecCore

/// Turns the event stream into one output format; reporters see events one at a time, in order.
@_spi(Runner)
public protocol Reporter {
  /// Takes the next event, which is happening now.
  mutating func report(_ event: Event)
  /// Takes the next event, which happened at `time`: a merge replays saved reports this way.
  mutating func report(_ event: Event, at time: Timestamp)
}

extension Reporter {
  /// Reporters that print no times ignore when an event happened.
  public mutating func report(_ event: Event, at time: Timestamp) {
    report(event)
  }
}
