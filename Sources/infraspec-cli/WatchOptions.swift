internal import ArgumentParser

/// `infraspec run --watch [--every 5s]`: the TDD loop on a terminal.
struct WatchOptions: ParsableArguments {
  @Flag(
    help:
      "Run again when a spec file or a Support/ file changes, and every --every; the terminal view is redrawn in place. Ctrl-C stops."
  )
  var watch = false

  @Option(help: "With --watch: how long to wait between rounds without a change: 5s (default), 500ms, 2m.")
  var every: WatchInterval?

  func validate() throws {
    if every != nil && !watch { throw ValidationError("--every needs --watch") }
  }

  /// Seconds between rounds.
  var seconds: Double { every?.seconds ?? 5 }
}

/// `5s`, `500ms`, `2m`, `1h`, or plain seconds; between 100 ms and a day.
struct WatchInterval: ExpressibleByArgument {
  var seconds: Double

  init?(argument: String) {
    let units: [(suffix: String, factor: Double)] = [
      ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("", 1),
    ]
    for (suffix, factor) in units where argument.hasSuffix(suffix) {
      guard let number = Double(argument.dropLast(suffix.count)), number.isFinite else { continue }
      let seconds = number * factor
      guard seconds >= 0.1, seconds <= 86_400 else { return nil }
      self.seconds = seconds
      return
    }
    return nil
  }
}
