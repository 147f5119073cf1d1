@_spi(Runner) package import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecCrypto

/// One HTTP/1.1 GET over an `HTTPConnection`, read with hard bounds: headers up to
/// `headerLimit`, the body kept up to `bodyLimit` (the rest is never read), all by `deadline`.
package struct HTTPClient {
  var headerLimit = 64 * 1024
  var bodyLimit = 8 * 1024 * 1024

  package init() {}

  /// The request bytes; extra header names and values are checked so none can end a line.
  package static func request(_ target: HTTPTarget, headers: [(String, String)]) throws(ProbeError) -> [UInt8]
  {
    var text = "GET \(target.path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
    var names = Set<String>()
    for (name, value) in headers {
      guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
        throw .other("the request header name \(TextMatch.show(name)) is not an HTTP token")
      }
      guard !value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F })
      else {
        throw .other("the request header \(name) holds control characters: \(TextMatch.show(value))")
      }
      names.insert(name.lowercased())
      text += "\(name): \(value)\r\n"
    }
    for (name, value) in [("User-Agent", "InfraSpec"), ("Accept", "*/*"), ("Accept-Encoding", "identity")]
    where !names.contains(name.lowercased()) {
      text += "\(name): \(value)\r\n"
    }
    text += "Connection: close\r\n\r\n"
    return Array(text.utf8)
  }

  static func isTokenByte(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
      || "!#$%&'*+-.^_`|~".utf8.contains(byte)
  }

  package func get(
    _ request: [UInt8], over connection: HTTPConnection, deadline: ContinuousClock.Instant,
    receivedAt: () -> Int64
  ) async throws(ProbeError) -> HTTPResponse {
    let started = ContinuousClock.now
    try await connection.send(request, deadline: deadline)
    var reader = HTTPReader(connection: connection, deadline: deadline)
    let statusLine = try await reader.line(limit: headerLimit, what: "the status line")
    let arrived = receivedAt()
    let (status, reason) = try Self.parseStatusLine(statusLine)
    var headers: [(name: String, value: String)] = []
    var headerBytes = statusLine.count
    while true {
      let line = try await reader.line(limit: headerLimit, what: "the response headers")
      headerBytes += line.count + 2
      if headerBytes > headerLimit {
        throw .other("the response headers exceed \(headerLimit / 1024) KiB; stopped reading")
      }
      if line.isEmpty { break }
      headers.append(try Self.parseHeader(line))
    }
    var response = HTTPResponse(
      status: status, reason: reason, headers: headers, body: [], bodyTruncated: false, bodySHA256: nil,
      elapsed: .zero, receivedAt: arrived)
    let hash = StreamingDigest(.sha256)
    var sink = BodySink(limit: bodyLimit)
    let framing = try Self.framing(response, status: status)
    switch framing {
    case .none: break
    case .length(let count):
      var left = count
      while left > 0, !sink.full {
        let bytes = try await reader.some(atMost: min(left, 65_536))
        guard !bytes.isEmpty else { throw .other("the body ended after \(count - left) of \(count) bytes") }
        left -= bytes.count
        sink.take(bytes, into: hash)
      }
    case .chunked:
      while !sink.full {
        let sizeLine = try await reader.line(limit: 1024, what: "a chunk size")
        let sizeText = String(decoding: sizeLine, as: UTF8.self).split(separator: ";").first ?? ""
        guard let size = Int(sizeText.trimmingWhitespace(), radix: 16), size >= 0 else {
          throw .other("bad chunk size \(TextMatch.show(String(decoding: sizeLine, as: UTF8.self)))")
        }
        if size == 0 { break }
        var left = size
        while left > 0, !sink.full {
          let bytes = try await reader.some(atMost: min(left, 65_536))
          guard !bytes.isEmpty else { throw .other("the body ended inside a chunk") }
          left -= bytes.count
          sink.take(bytes, into: hash)
        }
        if !sink.full { _ = try await reader.line(limit: 2, what: "a chunk end") }
      }
    case .untilClose:
      while !sink.full {
        let bytes = try await reader.some(atMost: 65_536)
        if bytes.isEmpty { break }
        sink.take(bytes, into: hash)
      }
    }
    connection.close()
    response.body = sink.kept
    response.bodyTruncated = sink.full
    if !sink.full {
      response.bodySHA256 = Digest.hex(hash.finalize())
    }
    response.elapsed = .now - started
    return response
  }

  private enum Framing {
    case none, length(Int), chunked, untilClose
  }

  private static func framing(_ response: HTTPResponse, status: Int) throws(ProbeError) -> Framing {
    if status / 100 == 1 || status == 204 || status == 304 { return .none }
    if let encoding = response.header("Transfer-Encoding") {
      guard encoding.lowercased().split(separator: ",").last?.trimmingWhitespace() == "chunked" else {
        throw .other("unsupported Transfer-Encoding \(TextMatch.show(encoding))")
      }
      return .chunked
    }
    if let length = response.header("Content-Length") {
      let values = Set(length.split(separator: ",").map { $0.trimmingWhitespace() })
      guard values.count == 1, let text = values.first, let count = Int(text), count >= 0 else {
        throw .other("bad Content-Length \(TextMatch.show(length))")
      }
      return .length(count)
    }
    return .untilClose
  }

  static func parseStatusLine(_ line: [UInt8]) throws(ProbeError) -> (Int, String) {
    let text = String(decoding: line, as: UTF8.self)
    let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1])
    else {
      throw .other("not an HTTP/1.x status line: \(TextMatch.show(text))")
    }
    return (status, parts.count > 2 ? String(parts[2]) : "")
  }

  /// `Name: value`; a value with control bytes (other than tab) is refused, not passed on.
  static func parseHeader(_ line: [UInt8]) throws(ProbeError) -> (name: String, value: String) {
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
      line[..<colon].allSatisfy(isTokenByte)
    else {
      throw .other("malformed response header line \(TextMatch.show(String(decoding: line, as: UTF8.self)))")
    }
    let name = String(decoding: line[..<colon], as: UTF8.self)
    let value = line[(colon + 1)...]
    if let bad = value.first(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
      throw .other(
        "the response header \(name) holds a control byte (0x\(String(bad, radix: 16).leftPadded(to: 2, with: "0"))): "
          + TextMatch.show(String(decoding: value, as: UTF8.self)))
    }
    return (name, String(decoding: value, as: UTF8.self).trimmingWhitespace())
  }
}

/// Keeps the first `limit` bytes of a body and hashes what it keeps.
private struct BodySink {
  let limit: Int
  var kept: [UInt8] = []
  var full = false

  mutating func take(_ bytes: [UInt8], into hash: StreamingDigest) {
    let room = limit - kept.count
    if bytes.count > room {
      kept += bytes.prefix(room)
      full = true
    } else {
      kept += bytes
      hash.update(bytes)
    }
  }
}

/// Buffered reads of lines and byte runs from a connection.
private struct HTTPReader {
  let connection: HTTPConnection
  let deadline: ContinuousClock.Instant
  var buffer: [UInt8] = []
  var start = 0

  init(connection: HTTPConnection, deadline: ContinuousClock.Instant) {
    self.connection = connection
    self.deadline = deadline
  }

  /// A line without its CRLF (a bare LF is accepted too); throws past `limit` bytes.
  mutating func line(limit: Int, what: String) async throws(ProbeError) -> [UInt8] {
    var scanned = start
    while true {
      if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
        var end = newline
        if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = Array(buffer[start..<end])
        start = newline + 1
        return line
      }
      scanned = buffer.count
      if buffer.count - start > limit {
        throw .other("\(what) exceed\(what.hasSuffix("s") ? "" : "s") \(limit / 1024) KiB; stopped reading")
      }
      guard try await fill() else { throw .other("the server closed the connection in \(what)") }
    }
  }

  /// Whatever is buffered or arrives next, up to `limit`; empty at end of stream.
  mutating func some(atMost limit: Int) async throws(ProbeError) -> [UInt8] {
    if start == buffer.count, !(try await fill()) { return [] }
    let end = min(buffer.count, start + limit)
    let bytes = Array(buffer[start..<end])
    start = end
    return bytes
  }

  private mutating func fill() async throws(ProbeError) -> Bool {
    if start > 65_536 {
      buffer.removeFirst(start)
      start = 0
    }
    let bytes = try await connection.receive(atMost: 65_536, deadline: deadline)
    buffer += bytes
    return !bytes.isEmpty
  }
}
