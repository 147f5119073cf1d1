@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

extension PackageVersion {
  /// apk-tools' ordering of `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-rN}`.
  ///
  /// Versions are read token by token and compared while both sides have a token of the same
  /// kind; a digit group with a leading zero compares as a string (Gentoo's rule), the
  /// pre-release suffixes `_alpha`, `_beta`, `_pre`, `_rc` sort before the release and the
  /// post-release ones `_cvs`, `_svn`, `_git`, `_hg`, `_p` after it. This is apk-tools 3's
  /// rewrite of the comparison, which agrees with apk-tools 2.14 (Alpine 3.20) on every version
  /// both accept and adds the `~hash` token; an invalid token compares as older than the end of
  /// a version, as in apk.
  static func compareAPK(_ a: [UInt8], _ b: [UInt8]) -> VersionOrder {
    var left = APKTokenizer(a[...])
    var right = APKTokenizer(b[...])
    left.readFirst()
    right.readFirst()
    while left.kind == right.kind && left.kind < .end {
      let order = left.compare(to: right)
      if order != .same { return order }
      left.readNext()
      right.readNext()
    }
    if left.kind == right.kind { return .same }
    if left.kind == .suffix && left.suffix < .none { return .older }
    if right.kind == .suffix && right.suffix < .none { return .newer }
    return left.kind > right.kind ? .older : .newer
  }
}

/// One position in an apk version string and the token just read there.
private struct APKTokenizer {
  enum Kind: Int, Comparable {
    case initialDigit, digit, letter, suffix, suffixNumber, commitHash, revision, end, invalid

    static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
  }

  enum Suffix: Int, Comparable {
    case invalid, alpha, beta, pre, rc, none, cvs, svn, git, hg, p

    static func < (lhs: Suffix, rhs: Suffix) -> Bool { lhs.rawValue < rhs.rawValue }

    init(_ word: ArraySlice<UInt8>) {
      let known: [(String, Suffix)] = [
        ("alpha", .alpha), ("beta", .beta), ("pre", .pre), ("rc", .rc),
        ("cvs", .cvs), ("svn", .svn), ("git", .git), ("hg", .hg), ("p", .p),
      ]
      self = known.first { $0.0.utf8.elementsEqual(word) }?.1 ?? .invalid
    }
  }

  private var rest: ArraySlice<UInt8>
  private(set) var kind = Kind.initialDigit
  private(set) var suffix = Suffix.none
  private var number: UInt64 = 0
  private var value: ArraySlice<UInt8> = []

  init(_ version: ArraySlice<UInt8>) {
    rest = version
  }

  mutating func readFirst() {
    kind = .initialDigit
    readDigits()
  }

  mutating func readNext() {
    guard let head = rest.first else {
      kind = .end
      return
    }
    switch head {
    case UInt8(ascii: "a")...UInt8(ascii: "z"):
      guard kind <= .digit else { return invalidate() }
      value = rest.prefix(1)
      kind = .letter
      rest.removeFirst()
    case UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
      if head == UInt8(ascii: ".") {
        guard kind <= .digit else { return invalidate() }
        rest.removeFirst()
      }
      switch kind {
      case .initialDigit, .digit: kind = .digit
      case .suffix: kind = .suffixNumber
      default: return invalidate()
      }
      readDigits()
    case UInt8(ascii: "_"):
      guard kind <= .suffixNumber else { return invalidate() }
      rest.removeFirst()
      value = rest.prefix { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
      rest = rest[value.endIndex...]
      suffix = Suffix(value)
      guard suffix != .invalid else { return invalidate() }
      kind = .suffix
    case UInt8(ascii: "~"):
      guard kind < .commitHash else { return invalidate() }
      rest.removeFirst()
      value = rest.prefix {
        PackageVersion.isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
      }
      rest = rest[value.endIndex...]
      guard !value.isEmpty else { return invalidate() }
      kind = .commitHash
    case UInt8(ascii: "-"):
      guard kind < .revision, rest.dropFirst().first == UInt8(ascii: "r") else {
        return invalidate()
      }
      rest.removeFirst(2)
      kind = .revision
      readDigits()
    default:
      invalidate()
    }
  }

  private mutating func invalidate() {
    kind = .invalid
  }

  /// Reads a run of digits; apk's number wraps like its unsigned 64-bit accumulator.
  private mutating func readDigits() {
    value = rest.prefix(while: PackageVersion.isDigit)
    rest = rest[value.endIndex...]
    number = value.reduce(0) { $0 &* 10 &+ UInt64($1 - UInt8(ascii: "0")) }
    if value.isEmpty { kind = .invalid }
  }

  /// Compares two tokens of the same kind.
  func compare(to other: APKTokenizer) -> VersionOrder {
    switch kind {
    case .digit where value.first == UInt8(ascii: "0") || other.value.first == UInt8(ascii: "0"):
      return Self.sort(value, other.value)
    case .initialDigit, .digit, .suffixNumber, .revision:
      return number == other.number ? .same : (number < other.number ? .older : .newer)
    case .letter:
      return Self.sort(value, other.value)
    case .suffix:
      return suffix == other.suffix ? .same : (suffix < other.suffix ? .older : .newer)
    case .commitHash, .end, .invalid:
      return Self.sort(value, other.value)
    }
  }

  /// apk's `apk_blob_sort`: bytewise over the common length, then the shorter first.
  private static func sort(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> VersionOrder {
    for (x, y) in zip(a, b) where x != y {
      return x < y ? .older : .newer
    }
    return VersionOrder(sign: a.count - b.count)
  }
}
