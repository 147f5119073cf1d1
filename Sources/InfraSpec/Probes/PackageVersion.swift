@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// Orders package version strings the way each package manager does.
///
/// `compare(a, b, scheme:)` answers whether `a` is older, the same as, or newer than `b`, exactly
/// as `dpkg --compare-versions`, rpm's `rpm.vercmp` or `apk version -t` would, so that
/// `version(atLeast:)` agrees with what the host's own package manager considers an upgrade.
/// Strings the package manager rejects still compare deterministically and never trap.
enum PackageVersion {
  /// Compares two version strings under one package manager's rules.
  static func compare(_ a: String, _ b: String, scheme: VersionScheme) -> VersionOrder {
    let left = cString(a)
    let right = cString(b)
    switch scheme {
    case .dpkg: return compareDpkg(left, right)
    case .rpm: return compareRPM(left, right)
    case .apk: return compareAPK(left, right)
    }
  }

  /// The bytes a C implementation sees: everything up to the first NUL.
  static func cString(_ string: String) -> [UInt8] {
    let bytes = Array(string.utf8)
    guard let end = bytes.firstIndex(of: 0) else { return bytes }
    return Array(bytes[..<end])
  }

  static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
  }
}
