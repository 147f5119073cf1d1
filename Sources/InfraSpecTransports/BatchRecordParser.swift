@_spi(Runner) internal import InfraSpecCore
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Splits the batch script's two output streams into records as bytes arrive.
///
/// Anything a login shell prints before the script's first marker (a chatty rc file, ssh's own
/// warnings) is skipped; after that every stream is a sequence of probe outputs, each ended by a
/// marker carrying the batch's nonce. A record is complete when both of its streams have ended.
/// Past `limit` bytes a probe's output is dropped, not stored: memory stays bounded whatever a
/// host sends, and the probe's process group (announced by a begin marker on stderr) is named
/// in `takeKillRequests` so the transport can have the host kill it.
struct BatchRecordParser {
  private struct Ended {
    var fields: [Substring]
    var bytes: [UInt8]
    var tooLarge: Bool
  }

  /// One of the two streams: bytes not yet known to be output, and the current probe's output.
  private struct Stream {
    var pending: [UInt8] = []
    var output: [UInt8] = []
    var tooLarge = false
    var synchronized = false
    /// What came before the first marker (rc-file noise; on stderr, the script's own errors).
    var preamble: [UInt8] = []
  }

  private let syncMarker: [UInt8]
  private let marker: [UInt8]
  private let limit: Int
  private var streams = [Stream(), Stream()]
  private var ended: [[Int: Ended]] = [[:], [:]]
  /// How many probes each stream has ended: the index of the probe writing to it now.
  private var current = [0, 0]
  /// Process groups of probes, from their begin markers.
  private var groups: [Int: Int] = [:]
  /// Probes whose output passed the limit, and those already asked to be killed.
  private var overflowed: Set<Int> = []
  private var killRequested: Set<Int> = []
  private var killRequests: [Int] = []
  /// Probes that began since the last `takeStarts`, with their process groups.
  private var starts: [(index: Int, group: Int)] = []
  /// Set when the stream stopped making sense; the remaining probes cannot be trusted.
  private(set) var corruption: String?

  init(nonce: String, limit: Int = ChildProcess.outputLimit) {
    syncMarker = Array("\n#IS2 \(nonce) s\n".utf8)
    marker = Array("\n#IS2 \(nonce) ".utf8)
    self.limit = limit
  }

  /// What the script printed on standard error outside any probe, for explaining an early end.
  var scriptErrors: [UInt8] {
    Array((streams[1].preamble + streams[1].output + streams[1].pending).prefix(65_536))
  }

  /// Process groups to kill on the host because their probe's output passed the limit; each once.
  mutating func takeKillRequests() -> [Int] {
    defer { killRequests = [] }
    return killRequests
  }

  /// Probes whose begin marker arrived since the last call, in order: the transport's watchdog
  /// counts each one's deadline from here.
  mutating func takeStarts() -> [(index: Int, group: Int)] {
    defer { starts = [] }
    return starts
  }

  mutating func feedStdout(_ bytes: some Collection<UInt8>) -> [BatchRecord] { feed(0, bytes) }
  mutating func feedStderr(_ bytes: some Collection<UInt8>) -> [BatchRecord] { feed(1, bytes) }

  private mutating func feed(_ which: Int, _ bytes: some Collection<UInt8>) -> [BatchRecord] {
    // Moved out, not copied: appending to a shared buffer would copy all output on every feed.
    var stream = streams[which]
    streams[which] = Stream()
    defer { streams[which] = stream }
    stream.pending.append(contentsOf: bytes)
    var records: [BatchRecord] = []
    if !stream.synchronized {
      guard let found = Self.firstIndex(of: syncMarker, in: stream.pending) else {
        let keep = syncMarker.count - 1
        if stream.pending.count > keep {
          Self.append(stream.pending.prefix(stream.pending.count - keep), to: &stream.preamble, limit: 65_536)
          stream.pending.removeFirst(stream.pending.count - keep)
        }
        return []
      }
      Self.append(stream.pending[..<found], to: &stream.preamble, limit: 65_536)
      stream.pending.removeFirst(found + syncMarker.count)
      stream.synchronized = true
    }
    while corruption == nil {
      guard let found = Self.firstIndex(of: marker, in: stream.pending) else {
        let safe = stream.pending.count - (marker.count - 1)
        if safe > 0 {
          stream.tooLarge = stream.tooLarge || stream.output.count + safe > limit
          Self.append(stream.pending.prefix(safe), to: &stream.output, limit: limit)
          stream.pending.removeFirst(safe)
        }
        break
      }
      let headerStart = found + marker.count
      guard let newline = stream.pending[headerStart...].firstIndex(of: UInt8(ascii: "\n")) else {
        if stream.pending.count - headerStart > 64 {
          corruption = "batch output has a malformed record header"
        }
        break
      }
      let fields = String(decoding: stream.pending[headerStart..<newline], as: UTF8.self).split(
        separator: " ")
      stream.tooLarge = stream.tooLarge || stream.output.count + found > limit
      Self.append(stream.pending[..<found], to: &stream.output, limit: limit)
      stream.pending.removeFirst(newline + 1)
      if which == 1, fields.count == 3, fields[0] == "b", let index = Int(fields[1]),
        let group = Int(fields[2])
      {
        // A probe started; its output goes on around this line.
        groups[index] = group
        starts.append((index, group))
        requestKillIfOverflowed(index)
        continue
      }
      guard fields.count == (which == 0 ? 4 : 2), fields[0] == "e", let index = Int(fields[1]) else {
        corruption = "batch output has a malformed record header"
        break
      }
      if stream.tooLarge { overflowed.insert(index) }
      ended[which][index] = Ended(
        fields: Array(fields.dropFirst()), bytes: stream.output, tooLarge: stream.tooLarge)
      stream.output = []
      stream.tooLarge = false
      current[which] = index + 1
      groups[index] = nil
      if let record = complete(index) { records.append(record) }
    }
    if stream.tooLarge {
      overflowed.insert(current[which])
      requestKillIfOverflowed(current[which])
    }
    return records
  }

  private mutating func requestKillIfOverflowed(_ index: Int) {
    guard overflowed.contains(index), let group = groups[index], killRequested.insert(index).inserted else {
      return
    }
    killRequests.append(group)
  }

  private mutating func complete(_ index: Int) -> BatchRecord? {
    guard let out = ended[0][index], let err = ended[1][index] else { return nil }
    ended[0][index] = nil
    ended[1][index] = nil
    guard let status = Int32(out.fields[1]), let state = BatchScript.State(rawValue: String(out.fields[2]))
    else {
      corruption = "batch output has a malformed record header"
      return nil
    }
    return BatchRecord(
      index: index, exitStatus: status, state: state, stdout: out.bytes, stderr: err.bytes,
      tooLarge: out.tooLarge || err.tooLarge)
  }

  private static func append(_ bytes: some Collection<UInt8>, to buffer: inout [UInt8], limit: Int) {
    let room = limit - buffer.count
    if room > 0 { buffer.append(contentsOf: bytes.prefix(room)) }
  }

  /// `memchr` for the marker's first byte, then `memcmp`: output is searched once per byte,
  /// fast even in a debug build.
  private static func firstIndex(of pattern: [UInt8], in buffer: [UInt8]) -> Int? {
    guard buffer.count >= pattern.count else { return nil }
    return buffer.withUnsafeBytes { haystack in
      pattern.withUnsafeBytes { needle in
        let base = haystack.baseAddress!
        let last = haystack.count - needle.count
        var offset = 0
        while offset <= last {
          guard let found = memchr(base + offset, Int32(pattern[0]), last - offset + 1) else { return nil }
          let position = base.distance(to: UnsafeRawPointer(found))
          if memcmp(base + position, needle.baseAddress!, needle.count) == 0 { return position }
          offset = position + 1
        }
        return nil
      }
    }
  }
}
