/// Turns the event stream into one output format; reporters see events one at a time, in order.
public protocol Reporter {
  mutating func report(_ event: Event)
}
