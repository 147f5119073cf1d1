@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

extension PackageVersion {
  /// rpm's ordering of `[epoch:]version[-release]`, as rpm 4.18's `rpm.vercmp` (`rpmverCmp`).
  ///
  /// The epoch is the leading digits when a colon follows them (missing means 0), the release
  /// follows the last hyphen. Epoch, version and release are each compared with `rpmvercmp`;
  /// when only one side has a release, that side is newer.
  static func compareRPM(_ a: [UInt8], _ b: [UInt8]) -> VersionOrder {
    let left = rpmParts(a)
    let right = rpmParts(b)
    let zero: ArraySlice<UInt8> = [UInt8(ascii: "0")]
    let epochs = rpmvercmp(left.epoch ?? zero, right.epoch ?? zero)
    if epochs != 0 { return VersionOrder(sign: epochs) }
    let versions = rpmvercmp(left.version, right.version)
    if versions != 0 { return VersionOrder(sign: versions) }
    switch (left.release, right.release) {
    case (let x?, let y?): return VersionOrder(sign: rpmvercmp(x, y))
    case (.some, nil): return .newer
    case (nil, .some): return .older
    case (nil, nil): return .same
    }
  }

  private static func rpmParts(
    _ evr: [UInt8]
  ) -> (epoch: ArraySlice<UInt8>?, version: ArraySlice<UInt8>, release: ArraySlice<UInt8>?) {
    let all = evr[...]
    let afterDigits = all.firstIndex { !isDigit($0) } ?? all.endIndex
    let hyphen = all[afterDigits...].lastIndex(of: UInt8(ascii: "-"))
    var epoch: ArraySlice<UInt8>?
    var versionStart = all.startIndex
    if afterDigits < all.endIndex, all[afterDigits] == UInt8(ascii: ":") {
      epoch = afterDigits == all.startIndex ? [UInt8(ascii: "0")] : all[..<afterDigits]
      versionStart = afterDigits + 1
    }
    guard let hyphen else { return (epoch, all[versionStart...], nil) }
    return (epoch, all[versionStart..<hyphen], all[(hyphen + 1)...])
  }

  private static func isAlphanumeric(_ byte: UInt8) -> Bool {
    isDigit(byte) || isLetter(byte)
  }

  /// rpm's `rpmvercmp`: alternating numeric and alphabetic segments, anything else separates;
  /// `~` sorts before everything, even the end of the string, and `^` after the end but before
  /// any further segment.
  static func rpmvercmp(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
    if a.elementsEqual(b) { return 0 }
    let tilde = UInt8(ascii: "~")
    let caret = UInt8(ascii: "^")
    func isSeparator(_ byte: UInt8) -> Bool {
      !isAlphanumeric(byte) && byte != tilde && byte != caret
    }
    var one = a
    var two = b
    while !one.isEmpty || !two.isEmpty {
      one = one.drop(while: isSeparator)
      two = two.drop(while: isSeparator)

      if one.first == tilde || two.first == tilde {
        if one.first != tilde { return 1 }
        if two.first != tilde { return -1 }
        one.removeFirst()
        two.removeFirst()
        continue
      }
      if one.first == caret || two.first == caret {
        if one.isEmpty { return -1 }
        if two.isEmpty { return 1 }
        if one.first != caret { return 1 }
        if two.first != caret { return -1 }
        one.removeFirst()
        two.removeFirst()
        continue
      }
      guard let head = one.first, !two.isEmpty else { break }

      let numeric = isDigit(head)
      let inSegment: (UInt8) -> Bool = { numeric ? isDigit($0) : isLetter($0) }
      let segmentOne = one.prefix(while: inSegment)
      let segmentTwo = two.prefix(while: inSegment)
      one = one[segmentOne.endIndex...]
      two = two[segmentTwo.endIndex...]

      // A numeric segment is newer than an alphabetic one.
      if segmentTwo.isEmpty { return numeric ? 1 : -1 }

      if numeric {
        let order = compareDigitStrings(segmentOne, segmentTwo)
        if order != 0 { return order }
      } else if !segmentOne.elementsEqual(segmentTwo) {
        return segmentOne.lexicographicallyPrecedes(segmentTwo) ? -1 : 1
      }
    }
    if one.isEmpty && two.isEmpty { return 0 }
    return one.isEmpty ? -1 : 1
  }
}
