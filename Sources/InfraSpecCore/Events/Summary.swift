/// Counts of verdicts, and the exit code they add up to.
@_spi(Runner)
public struct Summary: Sendable, Codable, Equatable {
  /// Checks that passed.
  public var passed = 0
  /// Checks that failed.
  public var failed = 0
  /// Checks that could not be checked (host unreachable, probe timed out).
  public var couldNotCheck = 0
  /// Checks not run (`--tag`, `--skip-tag`, not for this host's OS).
  public var skipped = 0

  /// Nothing counted yet.
  public init() {}

  /// Counts one verdict.
  public mutating func count(_ outcome: Outcome) {
    switch outcome {
    case .passed: passed += 1
    case .failed: failed += 1
    case .couldNotCheck: couldNotCheck += 1
    case .skipped: skipped += 1
    }
  }

  /// Adds another summary's counts (a host's to the run's).
  public mutating func add(_ other: Summary) {
    passed += other.passed
    failed += other.failed
    couldNotCheck += other.couldNotCheck
    skipped += other.skipped
  }

  /// Every check counted, skipped ones included.
  public var total: Int { passed + failed + couldNotCheck + skipped }

  /// 0 all passed, 1 a check failed, 2 nothing failed but something could not be checked, 3 no
  /// check was evaluated at all.
  ///
  /// A real failure outranks "could not check": it is the one a pipeline must stop for. A run that
  /// checked nothing (a misspelt `--tag`, an empty shard) is not a pass.
  public var exitCode: ExitCode {
    failed > 0
      ? .checkFailed : couldNotCheck > 0 ? .couldNotCheck : total == skipped ? .nothingChecked : .success
  }

  /// `12 passed, 1 failed, 2 could not check, 0 skipped`
  public var line: String {
    "\(passed) passed, \(failed) failed, \(couldNotCheck) could not check, \(skipped) skipped"
  }
}

/// The process exit codes InfraSpec promises to scripts and CI systems.
@_spi(Runner)
public enum ExitCode: Int32, Sendable, Codable {
  /// Every check passed.
  case success = 0
  /// A check failed (a failure outranks "could not check").
  case checkFailed = 1
  /// A check could not be checked, and none failed.
  case couldNotCheck = 2
  /// No check was evaluated: the selection (`--tag`, a shard, the spec files) selected nothing.
  case nothingChecked = 3
  /// A command-line mistake (sysexits EX_USAGE).
  case usage = 64
  /// A spec file does not compile (sysexits EX_DATAERR).
  case specDoesNotCompile = 65
  /// The spec binary crashed (a runtime trap in spec code, a fatal signal) (sysexits EX_SOFTWARE).
  case specCrashed = 70
  /// A report (stdout or a `--report` file) could not be written whole (sysexits EX_IOERR).
  case reportNotWritten = 74
  /// The Swift toolchain or the InfraSpec module cannot be used (sysexits EX_UNAVAILABLE).
  case toolchainUnavailable = 69
  /// Ctrl-C or SIGTERM stopped the run (128 + SIGINT, as shells report it).
  case interrupted = 130
}
