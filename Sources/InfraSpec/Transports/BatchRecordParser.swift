/// Splits the batch script's standard output into records as bytes arrive.
///
/// Anything a login shell prints before the first record (a chatty rc file) is skipped; after
/// that the lengths in each header say exactly where the next record starts.
struct BatchRecordParser {
  private static let marker = Array("\n#IS1 ".utf8)
  private var buffer: [UInt8] = []
  private var start = 0
  private var synchronized = false
  /// Set when the stream stopped making sense; the remaining probes cannot be trusted.
  private(set) var corruption: String?

  mutating func feed(_ bytes: some Collection<UInt8>) -> [BatchRecord] {
    buffer.append(contentsOf: bytes)
    var records: [BatchRecord] = []
    while corruption == nil, let record = nextRecord() { records.append(record) }
    if start > 65_536 && start * 2 > buffer.count {
      buffer.removeFirst(start)
      start = 0
    }
    return records
  }

  private mutating func nextRecord() -> BatchRecord? {
    let marker = Self.marker
    if !synchronized {
      guard let found = firstIndex(of: marker, from: start) else {
        start = max(start, buffer.count - marker.count)
        return nil
      }
      start = found
      synchronized = true
    }
    guard buffer.count - start >= marker.count else { return nil }
    guard buffer[start..<start + marker.count].elementsEqual(marker) else {
      corruption = "batch output lost its framing at byte \(start)"
      return nil
    }
    let headerStart = start + marker.count
    guard let newline = buffer[headerStart...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
    let fields = String(decoding: buffer[headerStart..<newline], as: UTF8.self).split(separator: " ")
    guard fields.count == 5, let index = Int(fields[0]), let status = Int32(fields[1]),
      let stdoutLength = Int(fields[3]), let stderrLength = Int(fields[4])
    else {
      corruption = "batch output has a malformed record header"
      return nil
    }
    let bodyStart = newline + 1
    guard buffer.count - bodyStart >= stdoutLength + stderrLength else { return nil }
    let stdoutEnd = bodyStart + stdoutLength
    let record = BatchRecord(
      index: index, exitStatus: status, timedOut: fields[2] == "1",
      stdout: Array(buffer[bodyStart..<stdoutEnd]),
      stderr: Array(buffer[stdoutEnd..<stdoutEnd + stderrLength]))
    start = stdoutEnd + stderrLength
    return record
  }

  private func firstIndex(of pattern: [UInt8], from position: Int) -> Int? {
    guard buffer.count >= pattern.count else { return nil }
    var index = position
    while index <= buffer.count - pattern.count {
      if buffer[index] == pattern[0] && buffer[index..<index + pattern.count].elementsEqual(pattern) {
        return index
      }
      index += 1
    }
    return nil
  }
}
