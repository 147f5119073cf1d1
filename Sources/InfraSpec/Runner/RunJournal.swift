@_spi(Runner) public import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import FoundationEssentials
internal import Glibc
@_spi(Runner) internal import InfraSpecPlatform

/// The events of a run, one JSON line each, appended to a private file as they happen: when the
/// spec binary dies (a trap in spec code, a signal), `infraspec` reads them back and still writes
/// every report, with the run marked as not finished.
@_spi(Runner)
public enum RunJournal {
  struct Entry: Codable {
    var time: Timestamp
    var event: Event
  }

  /// The reporter the spec binary adds when `RunRequest.journal` is set.
  struct Writer: Reporter {
    let output: OutputStream

    mutating func report(_ event: Event) {
      report(event, at: .now())
    }

    mutating func report(_ event: Event, at time: Timestamp) {
      guard let line = try? JSONEncoder().encode(Entry(time: time, event: event)) else { return }
      // One write per line: a crash leaves whole lines behind, at most the last one cut.
      output.write(String(decoding: line, as: UTF8.self) + "\n")
    }
  }

  static func writer(atPath path: String) -> (any Reporter)? {
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    return Writer(output: OutputStream(descriptor: descriptor, name: "journal \(path)"))
  }

  /// After the spec binary stopped without finishing: replays what the journal at `path` holds,
  /// then `abort`, into the reporters of `request` (stdout and every `--report` file).
  ///
  /// TAP and the human view on stdout were streamed by the spec binary already, so only their
  /// ending is added there; every other output is written whole.
  /// `childPID` names the temporary report files the dead spec binary leaves, which are removed.
  public static func salvage(_ path: String, abort: RunAbort, request: RunRequest, childPID: Int32? = nil) {
    var record = RunRecord()
    var started = false
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    let decoder = JSONDecoder()
    var counted = Summary()
    for line in text.split(separator: "\n") {
      // The last line may be cut by the crash.
      guard let entry = try? decoder.decode(Entry.self, from: Data(line.utf8)) else { continue }
      switch entry.event {
      case .runFinished, .runAborted: continue
      case .runStarted: started = true
      case .checkFinished(let result), .fleetCheckFinished(let result): counted.count(result.outcome)
      case .hostFailed: counted.couldNotCheck += 1
      default: break
      }
      record.record(entry.event, at: entry.time)
    }
    let now = Timestamp.now()
    if !started { record.record(.runStarted(hosts: [], checksPerHost: 0), at: now) }
    record.record(.runAborted(abort), at: now)
    record.record(
      .runFinished(summary: counted, durationMilliseconds: now.milliseconds(since: record.started)), at: now)

    var reporters: [any Reporter] = []
    switch request.format {
    case .tap:
      let prefix = started ? "" : "TAP version 13\n"
      OutputStream.standardOutput.write(prefix + "Bail out! \(TAPReporter.escape(abort.line))\n")
    case .human:
      OutputStream.standardOutput.write("\nthe run did not finish: \(abort.line.escapingControls())\n")
    default:
      let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"].flatMap {
        $0.isEmpty ? nil : $0
      }
      reporters.append(
        ReportOutputs.make(request.format, .standardOutput, color: false, stepSummaryPath: summary))
    }
    for target in request.reports {
      if let childPID { unlink("\(target.path).tmp-\(childPID)") }
      do {
        reporters.append(
          ReportOutputs.make(
            target.format, try .file(atPath: target.path), color: false, stepSummaryPath: nil))
      } catch {
        OutputStream.standardError.write("infraspec: \(error.message)\n")
      }
    }
    record.replay(into: &reporters)
  }
}
