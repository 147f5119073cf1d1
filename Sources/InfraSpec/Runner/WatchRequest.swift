/// What `infraspec run --watch` asks of the spec binary: keep running rounds, on one set of
/// connections, until interrupted. `infraspec` itself restarts the binary when a spec changes.
@_spi(Runner)
public struct WatchRequest: Sendable, Codable, Equatable {
  /// Seconds between the end of one round and the start of the next.
  public var everySeconds: Double
  /// Each round replaces the previous one on the terminal; false appends rounds (not a TTY).
  public var redraw: Bool

  /// A binary made by `infraspec build`: nothing recompiles its specs, so only the interval
  /// starts a round (the footer says so).
  public var specsBuiltIn: Bool

  /// A watch that runs a round every `everySeconds` and redraws when `redraw`.
  public init(everySeconds: Double, redraw: Bool, specsBuiltIn: Bool = false) {
    self.everySeconds = everySeconds
    self.redraw = redraw
    self.specsBuiltIn = specsBuiltIn
  }
}
