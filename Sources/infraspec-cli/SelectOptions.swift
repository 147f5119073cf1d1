internal import ArgumentParser
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecReporters

#if canImport(Glibc)
  internal import Glibc
#endif

/// Which of the selected checks run, and when a run stops: shared by `run` and built binaries.
struct SelectOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Only checks whose name (describe titles › subject: title) matches this regular expression ((?i) ignores case).",
      valueName: "regex"))
  var filter: String?

  @Flag(
    help:
      "Stop at the first check that does not pass (failed or could not check); the rest is reported as not run."
  )
  var failFast = false

  @Flag(help: "Re-run only the last run's failures and could-not-checks (remembered per spec folder).")
  var onlyFailures = false

  func validate() throws {
    if let filter {
      do { _ = try Regex(filter) } catch {
        throw ValidationError("--filter \(filter) is not a regular expression: \(error)")
      }
    }
  }

  func apply(to options: inout RunOptions) {
    options.selection.filter = filter
    options.failFast = failFast
  }

  /// Where this run's failures are remembered, and with `--only-failures` the ones to re-run.
  ///
  /// The file is in the user's private spec cache (the cache code checks it is this user's alone),
  /// named by the folders of the spec files: `Specs/` and `Specs/pop.swift` share one memory.
  func remember(specFolders: [String], in request: inout RunRequest) throws {
    let directory = SpecCache.defaultDirectory(environment: ProcessInfo.processInfo.environment)
    let cache: SpecCache
    do {
      cache = try SpecCache.open(directory)
    } catch {
      guard onlyFailures else { return }  // remembering is a convenience; --only-failures needs it
      throw Failure.exit(error.message, code: error.exitCode)
    }
    var hash = ContentHash()
    for folder in Set(specFolders).sorted() { hash.add(folder) }
    let key = hash.hex
    let path = "\(cache.directory)/failures-\(key).json"
    request.failureMemory = path
    // Each host's OS detection, so the next run logs in once (see `ProfileMemory`).
    request.options.profileMemory = "\(cache.directory)/profiles"
    guard onlyFailures else { return }
    guard let failures = FailureMemory.read(path) else {
      OutputStream.standardError.write(
        "infraspec: nothing to check: --only-failures: no earlier run of the specs in "
          + "\(Set(specFolders).sorted().joined(separator: ", ")) is remembered; run them once without it\n")
      throw ArgumentParser.ExitCode(InfraSpec.ExitCode.nothingChecked.rawValue)
    }
    request.options.selection.only = failures
  }

  /// The folders of `specs`, absolute, for `remember`.
  static func folders(_ specs: [String]) -> [String] {
    specs.map { URL(fileURLWithPath: $0).standardizedFileURL.deletingLastPathComponent().path }
  }
}

/// How the terminal view looks: colour, what it leaves out, where it wraps.
struct ViewOptions: ParsableArguments {
  enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
  }

  @Option(help: "Colour in the human view: auto (on a terminal, unless NO_COLOR is set), always, never.")
  var color: ColorChoice = .auto

  @Flag(
    help:
      "The human view shows only checks and hosts that did not pass (the default for fleets of more than 10 hosts)."
  )
  var failuresOnly = false

  func apply(to request: inout RunRequest, terminal: Bool) {
    let environment = ProcessInfo.processInfo.environment
    switch color {
    case .always: request.color = true
    case .never: request.color = false
    case .auto: request.color = terminal && (environment["NO_COLOR"] ?? "").isEmpty
    }
    request.failuresOnly = failuresOnly
    request.columns = Self.columns(terminal: terminal, environment: environment)
  }

  /// `COLUMNS` when set; else the terminal's width, 80 when it says none; not a terminal: no wrapping,
  /// so logs and pipes keep one line per finding for grep.
  static func columns(terminal: Bool, environment: [String: String]) -> Int? {
    if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
    guard terminal else { return nil }
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 80
  }
}
