/// An IPv4 or IPv6 address, parsed and printed canonically so `::1` and `0:0:0:0:0:0:0:1` compare equal.
package struct IPAddress: Sendable, Hashable, CustomStringConvertible {
  let bytes: [UInt8]

  package init?(bytes: [UInt8]) {
    guard bytes.count == 4 || bytes.count == 16 else { return nil }
    self.bytes = bytes
  }

  package init?(_ text: String) {
    var text = Substring(text)
    if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
    if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
    if !text.contains(":") {
      let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
      guard parts.count == 4, !parts.contains(nil) else { return nil }
      bytes = parts.map { $0! }
      return
    }
    let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false)
    func groups(_ part: Substring) -> [UInt16]? {
      if part.isEmpty { return [] }
      let values = part.split(separator: ":", omittingEmptySubsequences: false).map { UInt16($0, radix: 16) }
      return values.contains(nil) ? nil : values.map { $0! }
    }
    guard let head = groups(halves[0]) else { return nil }
    var all = head
    if halves.count == 2 {
      guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
      all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
    guard all.count == 8 else { return nil }
    bytes = all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
  }

  package var isIPv4: Bool { bytes.count == 4 }
  package var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

  /// RFC 5952 text for IPv6 (longest zero run compressed), dotted quad for IPv4.
  package var description: String {
    if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
    let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
    var bestStart = -1
    var bestLength = 0
    var index = 0
    while index < 8 {
      if groups[index] == 0 {
        var end = index
        while end < 8 && groups[end] == 0 { end += 1 }
        if end - index > bestLength && end - index > 1 { (bestStart, bestLength) = (index, end - index) }
        index = end
      } else {
        index += 1
      }
    }
    let hex = groups.map { String($0, radix: 16) }
    guard bestStart >= 0 else { return hex.joined(separator: ":") }
    return hex[..<bestStart].joined(separator: ":") + "::"
      + hex[(bestStart + bestLength)...].joined(separator: ":")
  }
}
