/// What the runner measures and waits with (`eventually`'s re-probes): the real clock in a run, a
/// clock a test advances by hand, so a test of "every 10 s within 2 min" takes no real time.
protocol RunClock: Sendable {
  /// Time since a fixed start.
  var elapsed: Duration { get }
  /// Waits `duration` of this clock's time.
  func sleep(for duration: Duration) async throws
}

/// The machine's monotonic clock.
struct ContinuousRunClock: RunClock {
  private let origin = ContinuousClock.now
  var elapsed: Duration { .now - origin }
  func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
