@_spi(Runner) public import InfraSpecCore
internal import FoundationEssentials
internal import Glibc

/// `infraspec report merge`: JSON reports of shards or separate runs, replayed as one run.
@_spi(Runner)
public enum ReportMerge {
  /// Reads every report, refuses a host named by two of them, and replays the merged run (hosts
  /// in file order, with their recorded times) into the reporters `makeReporters` returns; returns
  /// the merged summary.
  ///
  /// The reporters are made (and their files emptied) only once every report has been read, so a
  /// merge may write over one of its own inputs.
  public static func merge(
    paths: [String], into makeReporters: () throws(ReportError) -> [any Reporter]
  ) throws(ReportError) -> Result {
    var records: [(path: String, record: RunRecord)] = []
    for path in paths { records.append((path, try read(path))) }
    let merged = try self.merged(records)
    var reporters = try makeReporters()
    merged.replay(into: &reporters)
    let incomplete = records.compactMap { path, record in record.abort.map { "\(path): \($0.line)" } }
    return Result(summary: merged.summary, exitCode: merged.exitCode, incomplete: incomplete)
  }

  /// What a merge found: the verdicts recounted from the results, and the inputs that are not
  /// whole runs.
  public struct Result: Sendable {
    public var summary: Summary
    /// What `infraspec run` over all the hosts would have exited with; an incomplete input wins.
    public var exitCode: ExitCode
    /// `shard2.json: interrupted by SIGTERM; 3 checks did not finish`, one per such input.
    public var incomplete: [String]
  }

  /// One run spanning all of them: from the earliest start to the latest end, summaries added.
  static func merged(_ records: [(path: String, record: RunRecord)]) throws(ReportError) -> RunRecord {
    var merged = RunRecord()
    guard let started = records.map(\.record.started).min() else { return merged }
    var origin: [String: String] = [:]
    merged.started = started
    var end = merged.started
    for (path, record) in records {
      for host in record.hosts {
        if let earlier = origin[host.name] {
          throw ReportError(
            .duplicateHost, path: path,
            "host \(host.name) is in both \(earlier) and \(path): merge each host's results only once")
        }
        origin[host.name] = path
        merged.hosts.append(host)
      }
      // Each shard judged its fleet assertions over its own hosts only.
      merged.fleet += record.fleet
      if let abort = record.abort {
        var combined = merged.abort ?? RunAbort(kind: abort.kind, reason: "")
        // The worst kind decides the exit code: a crash outranks an interruption.
        if abort.kind != .interrupted { combined.kind = abort.kind }
        combined.reason += (combined.reason.isEmpty ? "" : "; ") + "\(path): \(abort.reason)"
        combined.unfinished += abort.unfinished
        merged.abort = combined
        merged.interrupted = true
      }
      merged.checksPerHost = max(merged.checksPerHost, record.checksPerHost)
      end = max(end, record.started.adding(milliseconds: record.durationMilliseconds))
    }
    merged.durationMilliseconds = end.milliseconds(since: merged.started)
    merged.fleet = rejudged(merged.fleet, hosts: merged.hosts)
    // Recounted from the results, never taken from a stored summary a report could get wrong.
    merged.summary = merged.recount()
    return merged
  }

  /// Each fleet assertion once, judged over every host's value from every shard; an assertion no
  /// report carries values for (an unsharded run's) keeps its verdict.
  static func rejudged(_ fleet: [CheckResult], hosts: [RunRecord.Host]) -> [CheckResult] {
    var seen: Set<String> = []
    var results: [CheckResult] = []
    for result in fleet where seen.insert(FleetValue.id(result.location)).inserted {
      let id = FleetValue.id(result.location)
      var known: [(host: String, value: String)] = []
      var unknown: [String] = []
      var rule: FleetRule.Mode?
      for host in hosts {
        guard let value = host.fleetValues?.first(where: { $0.check == id }) else { continue }
        rule = rule ?? FleetRule.Mode(rawValue: value.rule)
        if let found = value.value {
          known.append((host.name, found))
        } else {
          unknown.append("\(host.name): \(value.problem ?? "not checked")")
        }
      }
      var judged = result
      if let rule {
        judged.outcome = FleetRule(mode: rule, value: { _ in "" }).outcome(known: known, unknown: unknown)
      }
      results.append(judged)
    }
    return results
  }

  /// Only what tells a report apart from other JSON, read before the rest so a report of another
  /// version gets a clear message rather than a decoding error about one of its fields.
  private struct Header: Decodable {
    var format: String?
    var version: Int?
  }

  static func read(_ path: String) throws(ReportError) -> RunRecord {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file"
      throw ReportError(.cannotRead, path: path, "cannot read report \(path): \(reason)")
    }
    let decoder = JSONDecoder()
    let hint = "write one with `infraspec run --report json=PATH`"
    guard let header = try? decoder.decode(Header.self, from: data) else {
      throw ReportError(
        .notAReport, path: path, "\(path) is not an InfraSpec report: it is not a JSON object; \(hint)")
    }
    guard header.format == RunRecord.format else {
      let found = header.format.map { "its format is \"\($0)\"" } ?? "it has no \"format\" field"
      throw ReportError(
        .notAReport, path: path,
        "\(path) is not an InfraSpec report: \(found), expected \"\(RunRecord.format)\"; \(hint)")
    }
    guard header.version == RunRecord.version else {
      let found = header.version.map { "version \($0)" } ?? "no version"
      throw ReportError(
        .unsupportedVersion, path: path,
        "\(path) is an InfraSpec report of \(found); this infraspec reads version \(RunRecord.version): "
          + "merge it with the infraspec that wrote it")
    }
    let record: RunRecord
    do {
      record = try decoder.decode(RunRecord.self, from: data)
    } catch {
      throw ReportError(.notAReport, path: path, "\(path) is a damaged InfraSpec report: \(describe(error))")
    }
    if let field = implausibleDuration(record) {
      throw ReportError(
        .notAReport, path: path,
        "\(path) is a damaged InfraSpec report: \(field) is not a duration in milliseconds")
    }
    return record
  }

  /// Reporters print durations as whole numbers, so a report must not hand them a negative or
  /// absurd one (a year is far beyond any run).
  private static func implausibleDuration(_ record: RunRecord) -> String? {
    let plausible = 0.0...31_536_000_000
    if !plausible.contains(record.durationMilliseconds) { return "durationMilliseconds" }
    for (hostIndex, host) in record.hosts.enumerated() {
      for (index, result) in host.results.enumerated() where !plausible.contains(result.durationMilliseconds)
      {
        return "hosts[\(hostIndex)].results[\(index)].durationMilliseconds"
      }
    }
    return nil
  }

  /// `hosts[0].results[2].outcome: ...` rather than DecodingError's dump of its context.
  private static func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    let context: DecodingError.Context
    switch error {
    case .typeMismatch(_, let found), .valueNotFound(_, let found), .dataCorrupted(let found):
      context = found
    case .keyNotFound(let key, let found):
      context = DecodingError.Context(
        codingPath: found.codingPath + [key], debugDescription: "the field is missing")
    @unknown default:
      return "\(error)"
    }
    var field = ""
    for key in context.codingPath {
      if let index = key.intValue {
        field += "[\(index)]"
      } else {
        field += (field.isEmpty ? "" : ".") + key.stringValue
      }
    }
    return (field.isEmpty ? "" : "\(field): ") + context.debugDescription
  }
}
