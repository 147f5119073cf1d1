@_spi(Runner) public import InfraSpecCore
internal import FoundationEssentials
internal import Glibc
@_spi(Runner) internal import InfraSpecPlatform

/// One versioned JSON document per run: every result, host and time, so `infraspec report merge`
/// can replay shards of a fleet run into any other format.
@_spi(Runner)
public struct JSONReporter: Reporter {
  let output: OutputStream
  private var record = RunRecord()

  /// Writes the document to `output` when the run finishes.
  public init(output: OutputStream = .standardOutput) {
    self.output = output
  }

  public mutating func report(_ event: Event) {
    report(event, at: .now())
  }

  public mutating func report(_ event: Event, at time: Timestamp) {
    record.record(event, at: time)
    guard case .runFinished = event else { return }
    do {
      output.write(try Self.document(record))
      output.finish()
    } catch {
      // Only a value JSON cannot hold (a duration that is not a number) gets here; the run then
      // ends with the report-not-written exit code, and no half report is left.
      output.record("a value cannot be written as JSON (\(Self.describe(error)))")
      output.finish()
    }
  }

  /// `hosts[0].results[1].durationMilliseconds: …` rather than EncodingError's dump.
  static func describe(_ error: any Error) -> String {
    guard case EncodingError.invalidValue(_, let context) = error else { return "\(type(of: error))" }
    let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    return "\(path.hasPrefix(".") ? String(path.dropFirst()) : path): \(context.debugDescription)"
  }

  /// Keys sorted and slashes unescaped, so a report diffs well and reads like its spec paths.
  static func document(_ record: RunRecord) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
  }
}
