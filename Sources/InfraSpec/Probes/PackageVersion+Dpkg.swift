@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

extension PackageVersion {
  /// dpkg's ordering: epoch numerically, then upstream version, then Debian revision, each with
  /// dpkg's `verrevcmp` (Debian Policy 5.6.12).
  ///
  /// Parsing follows dpkg's `parseversion`: leading blanks and trailing whitespace are ignored,
  /// the epoch is the digits before the first colon, the revision follows the last hyphen.
  /// Where dpkg refuses a string (non-numeric epoch, nothing after the colon), the whole string
  /// is taken as the upstream version so the result stays deterministic.
  static func compareDpkg(_ a: [UInt8], _ b: [UInt8]) -> VersionOrder {
    let left = dpkgParts(a)
    let right = dpkgParts(b)
    let epochs = compareDigitStrings(left.epoch, right.epoch)
    if epochs != 0 { return VersionOrder(sign: epochs) }
    let upstreams = verrevcmp(left.upstream, right.upstream)
    if upstreams != 0 { return VersionOrder(sign: upstreams) }
    return VersionOrder(sign: verrevcmp(left.revision, right.revision))
  }

  private static func dpkgParts(
    _ raw: [UInt8]
  ) -> (epoch: ArraySlice<UInt8>, upstream: ArraySlice<UInt8>, revision: ArraySlice<UInt8>) {
    var version = raw[...]
    while let first = version.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
      version.removeFirst()
    }
    while let last = version.last, isSpace(last) {
      version.removeLast()
    }
    var epoch: ArraySlice<UInt8> = []
    if let colon = version.firstIndex(of: UInt8(ascii: ":")) {
      let digits = version[..<colon]
      let rest = version[(colon + 1)...]
      if !digits.isEmpty, digits.allSatisfy(isDigit), !rest.isEmpty {
        epoch = digits
        version = rest
      }
    }
    guard let hyphen = version.lastIndex(of: UInt8(ascii: "-")) else {
      return (epoch, version, [])
    }
    return (epoch, version[..<hyphen], version[(hyphen + 1)...])
  }

  private static func isSpace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D)
  }

  /// Compares two runs of decimal digits by value, without overflow for any length.
  static func compareDigitStrings(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
    let left = a.drop { $0 == UInt8(ascii: "0") }
    let right = b.drop { $0 == UInt8(ascii: "0") }
    if left.count != right.count { return left.count < right.count ? -1 : 1 }
    for (x, y) in zip(left, right) where x != y {
      return x < y ? -1 : 1
    }
    return 0
  }

  /// dpkg's weight of one character in a non-digit run: `~` before the end of the string,
  /// the end before letters, letters before everything else.
  ///
  /// Bytes from 0x80 up weigh their own value, between letters and ASCII punctuation, because
  /// dpkg reads them as negative `char`s on x86 and adds 256; dpkg warns about such versions.
  private static func dpkgWeight(_ byte: UInt8?) -> Int {
    guard let byte else { return 0 }
    if isDigit(byte) { return 0 }
    if isLetter(byte) { return Int(byte) }
    if byte == UInt8(ascii: "~") { return -1 }
    if byte >= 0x80 { return Int(byte) }
    return Int(byte) + 256
  }

  private static func verrevcmp(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
    var i = a.startIndex
    var j = b.startIndex
    func at(_ s: ArraySlice<UInt8>, _ k: Int) -> UInt8? { k < s.endIndex ? s[k] : nil }
    func startsNonDigitRun(_ s: ArraySlice<UInt8>, _ k: Int) -> Bool {
      guard let byte = at(s, k) else { return false }
      return !isDigit(byte)
    }

    while i < a.endIndex || j < b.endIndex {
      while startsNonDigitRun(a, i) || startsNonDigitRun(b, j) {
        let weightA = dpkgWeight(at(a, i))
        let weightB = dpkgWeight(at(b, j))
        if weightA != weightB { return weightA - weightB }
        i += 1
        j += 1
      }
      while at(a, i) == UInt8(ascii: "0") { i += 1 }
      while at(b, j) == UInt8(ascii: "0") { j += 1 }
      var firstDifference = 0
      while let x = at(a, i), let y = at(b, j), isDigit(x), isDigit(y) {
        if firstDifference == 0 { firstDifference = Int(x) - Int(y) }
        i += 1
        j += 1
      }
      if let x = at(a, i), isDigit(x) { return 1 }
      if let y = at(b, j), isDigit(y) { return -1 }
      if firstDifference != 0 { return firstDifference }
    }
    return 0
  }
}
