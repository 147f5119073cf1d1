import Foundation
import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite struct PackageVersionTests {
  typealias Case = (String, String, VersionOrder)

  // Debian Policy 5.6.12 examples and cases from dpkg's own lib/dpkg/t/t-version.c.
  static let dpkgCases: [Case] = [
    ("1.0", "1.0", .same),
    ("1.0", "1.1", .older),
    ("1.2.3", "1.2.10", .older),
    ("1.002", "1.2", .same),
    ("0:1.0", "1.0", .same),
    ("1:1.0", "2.0", .newer),
    ("2:1.0", "1:9.9", .newer),
    ("00:1.0", "0:1.0", .same),
    ("1.0~~", "1.0~~a", .older),
    ("1.0~~a", "1.0~", .older),
    ("1.0~", "1.0", .older),
    ("1.0", "1.0a", .older),
    ("1.0~rc1", "1.0", .older),
    ("1.0~rc1", "1.0~rc2", .older),
    ("1.0a", "1.0+", .older),
    ("1.0+dfsg", "1.0.1", .older),
    ("1.0+b1", "1.0", .newer),
    ("1.0-1", "1.0-2", .older),
    ("1.0-1", "1.0-1.1", .older),
    ("1.0", "1.0-0", .same),
    ("0:0-0", "0:0", .same),
    ("0:09", "0:9", .same),
    ("0:9", "0:10", .older),
    ("0:10.0", "0:9.10", .newer),
    ("1.0-1~bpo12+1", "1.0-1", .older),
    ("1.0-1+deb12u1", "1.0-1", .newer),
    ("1.0-1+deb12u1", "1.0-1+deb12u2", .older),
    ("7.4.052-1ubuntu3", "7.4.052-1ubuntu3.1", .older),
    ("2.36-9+deb12u7", "2.36-9+deb12u10", .older),
    ("1:9.18.28-1~deb12u2", "1:9.18.24-1", .newer),
    ("3.0.15-1~deb12u1", "3.0.11-1~deb12u2", .newer),
    ("1.2-3-4", "1.2-3-5", .older),
    ("1.2-3-4", "1.2-3", .newer),
    ("1:2:3", "1:2:3", .same),
    ("1:2:3", "1:2.3", .newer),
    ("", "0", .same),
    ("", "~", .newer),
    (" 1.0", "1.0 ", .same),
    // dpkg warns about non-ASCII bytes and, on x86, weighs them between letters and `+`.
    ("1é", "1z", .newer),
    ("1é", "1+", .older),
  ]

  // rpm's own tests/rpmvercmp.at, plus whole epoch:version-release strings as RHEL ships them.
  static let rpmCases: [Case] = [
    ("1.0", "1.0", .same),
    ("1.0", "2.0", .older),
    ("2.0.1", "2.0", .newer),
    ("2.0.1a", "2.0.1", .newer),
    ("5.5p1", "5.5p2", .older),
    ("5.5p10", "5.5p1", .newer),
    ("10xyz", "10.1xyz", .older),
    ("xyz10", "xyz10.1", .older),
    ("xyz.4", "8", .older),
    ("8", "xyz.4", .newer),
    ("5.5p1", "5.6p1", .older),
    ("6.0.rc1", "6.0", .newer),
    ("10b2", "10a1", .newer),
    ("10a2", "10b2", .older),
    ("1.0aa", "1.0a", .newer),
    ("1.0", "1_0", .same),
    ("2.0", "2_0", .same),
    ("a+", "a_", .same),
    ("+a", "_a", .same),
    ("+_", "_+", .same),
    ("1.0~rc1", "1.0", .older),
    ("1.0~rc1", "1.0~rc2", .older),
    ("1.0~rc1~git123", "1.0~rc1", .older),
    ("1.0^", "1.0", .newer),
    ("1.0^git1", "1.0", .newer),
    ("1.0^git1", "1.01", .older),
    ("1.0^20160101", "1.0.1", .older),
    ("1.0^20160101^git1", "1.0^20160101", .newer),
    ("1.0~rc1^git1", "1.0~rc1", .newer),
    ("1.0^git1~pre", "1.0^git1", .older),
    ("1:1.0-1", "2.0-1", .newer),
    ("0:1.0-1", "1.0-1", .same),
    (":1.0", "0:1.0", .same),
    ("1.0-1", "1.0", .newer),
    ("1.0-1.el9", "1.0-1.el9_1", .older),
    ("1:3.0.7-27.el9", "1:3.0.7-28.el9", .older),
    ("1:3.0.7-27.el9", "3.2.2-6.el9", .newer),
    ("5.1.8-9.el9", "5.1.8-6.el9_1", .newer),
    ("0.9.8", "0.9.8-0", .older),
  ]

  // A selection from apk-tools' test/version.data (the pairs `apk version -t` is tested with),
  // followed by the suffix ladder and the apk-tools 3 `~hash` token.
  static let apkCases: [Case] = [
    ("2.34", "0.1.0_alpha", .newer),
    ("23_foo", "4_beta", .newer),
    ("1.0", "1.0bc", .older),
    ("0.1.0_alpha", "0.1.0_alpha", .same),
    ("0.1.0_alpha2", "0.1.0_alpha", .newer),
    ("1.0.4-r3", "1.0.4-r4", .older),
    ("1.1", "1.1_alpha1", .newer),
    ("1.2.1", "1.2", .newer),
    ("0.8_beta1", "0.8_beta2", .older),
    ("3.10.18-r1", "2.3.0b-r1", .newer),
    ("2.3.0b-r1", "2.3.0b-r2", .older),
    ("0.12.3", "0.12", .newer),
    ("1.2.12.1", "1.2.13", .older),
    ("3.1_p16", "3.1_p17", .older),
    ("1.06-r6", "006", .older),
    ("1.2.2-r1", "1.2.2", .newer),
    ("2.59", "20050718-r1", .older),
    ("3.9.8-r5", "2.01.01_alpha10", .newer),
    ("1.0", "0.99.3.20040818", .newer),
    ("1.02.07", "1.02.10-r1", .older),
    ("2.18.3-r10", "1.05-r18", .newer),
    ("20060720", "3.0.20060720", .newer),
    ("2.5.1-r8", "2.5.1a-r1", .older),
    ("1.3.5-r10", "1.3.5-r8", .newer),
    ("20040401", "2.0.0_rc3-r1", .newer),
    ("3.0.0-r2", "021109-r3", .older),
    ("0.9.16-r1", "3.9_pre20060124", .older),
    ("1.1.7", "6b-r7", .older),
    ("0.10.0", "0.10.1_rc1", .older),
    ("1.0-r1", "0.15.1b", .newer),
    ("22.7-r1", "22.7.3-r1", .older),
    ("2.10.1", "02.08.01b", .newer),
    ("1.2.07.8", "1.2.12.04", .older),
    ("1.07-r1", "1.07.5", .older),
    ("0.1_pre20060810", "0.1_pre20060817", .older),
    ("3.3.17", "0.59s-r11", .newer),
    ("0.20070118", "0.20070207_rc1", .older),
    ("4.5_p1-r1", "4.5_p1", .newer),
    ("0.9.8c-r1", "0.9.8d", .older),
    ("1.7", "1.7b", .older),
    ("1.8.5", "1.8.5_p2", .older),
    ("2.9.11_pre20051101-r3", "2.9.11_pre20051101", .newer),
    ("0.9.28-r2", "0.9.28.1", .older),
    ("20040406-r1", "2.12r-r4", .newer),
    ("7.0.17", "7.0.174", .older),
    ("1.3-r0", "1.3.1-r0", .older),
    ("1.3_pre1-r1", "1.3.2", .older),
    ("1.0_p10-r0", "1.0_p9-r0", .newer),
    ("0.1.0_alpha_pre2", "0.1.0_alpha", .older),
    ("1.0.0_pre20191002222144-r0", "1.0.0_pre20210530193627-r0", .older),
    ("1.0_alpha", "1.0_beta", .older),
    ("1.0_beta", "1.0_pre", .older),
    ("1.0_pre", "1.0_rc", .older),
    ("1.0_rc", "1.0", .older),
    ("1.0", "1.0_cvs", .older),
    ("1.0_cvs", "1.0_svn", .older),
    ("1.0_svn", "1.0_git", .older),
    ("1.0_git", "1.0_hg", .older),
    ("1.0_hg", "1.0_p", .older),
    ("1.0_rc1-r5", "1.0-r0", .older),
    ("3.3.1-r0", "3.3.1-r1", .older),
    ("1.36.1-r29", "1.36.1-r30", .older),
    ("1.0~abc", "1.0", .newer),
    ("1.0~abc-r1", "1.0~abc-r0", .newer),
    ("1.0_git20240101~0a1b", "1.0_git20240101~0a1c", .older),
    // Edge cases answered by apk-tools 3's version.c; apk-tools 2.14 still accepted an empty
    // suffix or revision number, so it orders the first two the other way.
    ("1.0_", "1.0", .older),
    ("2-r", "2-r0", .older),
    ("1.0-r01", "1.0-r1", .same),
    ("1.01", "1.1", .older),
    ("1.010", "1.01", .newer),
    ("1_p", "1_p0", .older),
    // apk's 64-bit accumulator wraps, so 2^64 + 1 reads as 1.
    ("18446744073709551617", "2", .older),
  ]

  // Strings each package manager rejects or never produces: they still need an answer.
  static let malformed = [
    "", ":", "-", "~", "^", "_", "1:", ":1", "-1", "1-", "1--", "a:b", "1.0bc", "1.0-x",
    "1..0", "1.", "1__", "1_x", "1~", "~~~", "1.0-r", "1.0-rx", "\u{0}1", "1\u{0}2", "é", "1é2",
    "  ", "99999999999999999999999999", "1.99999999999999999999999999", "1_p99999999999999999999",
  ]

  @Test("dpkg orders known cases", arguments: dpkgCases)
  func dpkgKnownCase(_ a: String, _ b: String, _ expected: VersionOrder) {
    #expect(PackageVersion.compare(a, b, scheme: .dpkg) == expected)
    #expect(PackageVersion.compare(b, a, scheme: .dpkg) == expected.reversed)
  }

  @Test("rpm orders known cases", arguments: rpmCases)
  func rpmKnownCase(_ a: String, _ b: String, _ expected: VersionOrder) {
    #expect(PackageVersion.compare(a, b, scheme: .rpm) == expected)
    #expect(PackageVersion.compare(b, a, scheme: .rpm) == expected.reversed)
  }

  @Test("apk orders apk-tools' own test vectors", arguments: apkCases)
  func apkKnownCase(_ a: String, _ b: String, _ expected: VersionOrder) {
    #expect(PackageVersion.compare(a, b, scheme: .apk) == expected)
    #expect(PackageVersion.compare(b, a, scheme: .apk) == expected.reversed)
  }

  @Test("apk compares two invalid tails as equal, like apk-tools")
  func apkInvalidTails() {
    #expect(PackageVersion.compare("1.0bc", "1.0bd", scheme: .apk) == .same)
    #expect(PackageVersion.compare("1.0-x", "1.0_x", scheme: .apk) == .same)
    #expect(PackageVersion.compare("1.0-x", "1.0", scheme: .apk) == .older)
    #expect(PackageVersion.compare("x", "0", scheme: .apk) == .older)
  }

  @Test(
    "malformed versions compare deterministically and antisymmetrically",
    arguments: VersionScheme.allCases)
  func malformedVersions(_ scheme: VersionScheme) {
    let versions = Self.malformed + ["1.0", "1:1.0-1", "1.0_rc1-r1"]
    for a in versions {
      #expect(PackageVersion.compare(a, a, scheme: scheme) == .same, "\(a)")
      for b in versions {
        let forward = PackageVersion.compare(a, b, scheme: scheme)
        #expect(PackageVersion.compare(a, b, scheme: scheme) == forward)
        #expect(PackageVersion.compare(b, a, scheme: scheme) == forward.reversed, "\(a) vs \(b)")
      }
    }
  }

  static let dpkg = ReferenceTool(name: "dpkg", package: "dpkg")

  // Debian versions: the epoch and revision rules, `~`, letters against `+` and `.`, leading
  // zeros; a few upstreams start with a letter or hold `_`, which dpkg warns about but orders.
  static let dpkgVocabulary = GeneratedVersion.Vocabulary(
    epochs: ["0", "1", "2", "10", "01"],
    heads: ["0", "1", "2", "9", "10", "01", "1.0", "a", "1_"],
    body: [
      "0", "1", "2", "9", "10", "00", "a", "b", "z", "A", "Z", "~", "~~", ".", "+", "rc", "dfsg",
      "~rc", "_",
    ],
    release: ["0", "1", "2", "10", "a", "ubuntu", "deb12u", "+", "~", "~bpo", ".", "+b"])

  @Test("dpkg agrees with dpkg --compare-versions", .enabled(if: dpkg.isAvailableOrRequired))
  func dpkgDifferential() async throws {
    let pairs =
      GeneratedVersion.pairs(300, Self.dpkgVocabulary, seed: 0xDEB1A7)
      + Self.dpkgCases.map { ($0.0, $0.1) }.filter { !$0.0.isEmpty && !$0.0.hasPrefix(" ") }
    let answers = try await Self.dpkgAnswers(pairs)
    var mismatches: [String] = []
    for ((a, b), answer) in zip(pairs, answers) {
      let ours = PackageVersion.compare(a, b, scheme: .dpkg)
      if ours != answer { mismatches.append("\(a) vs \(b): dpkg \(answer), InfraSpec \(ours)") }
    }
    #expect(answers.count == pairs.count)
    #expect(mismatches == [])
  }

  /// Asks dpkg about every pair through one shell loop: `lt` and `eq` give the order.
  static func dpkgAnswers(_ pairs: [(String, String)]) async throws -> [VersionOrder] {
    let script = """
      while read -r a b; do
        dpkg --compare-versions "$a" lt "$b"; lt=$?
        dpkg --compare-versions "$a" eq "$b"; eq=$?
        echo "$lt$eq"
      done
      """
    let input = pairs.map { "\($0.0) \($0.1)\n" }.joined()
    let output = try await dpkg.runOffPool(["-c", script], program: "/bin/sh", input: input)
    return try output.split(separator: "\n").map { line in
      switch line {
      case "01": .older
      case "10": .same
      case "11": .newer
      default: throw ReferenceTool.Failure(description: "dpkg --compare-versions answered \(line)")
      }
    }
  }

  static let rpmlua = ReferenceTool(name: "rpmlua", package: "rpm")

  // RPM versions: separators, `~` and `^`, alphabetic against numeric segments, epochs and
  // releases the way RHEL and Fedora write them.
  static let rpmVocabulary = GeneratedVersion.Vocabulary(
    epochs: ["0", "1", "2", "10", "01", ""],
    heads: ["0", "1", "2", "9", "10", "01", "1.0", "a", "."],
    body: [
      "0", "1", "2", "10", "00", "a", "b", "Z", ".", "_", "+", "~", "^", "rc", "git", "p", "~rc",
      "^git",
    ],
    release: ["0", "1", "2", "10", "el9", "el9_4", ".", "_", "~", "^", "fc40", "a"])

  @Test("rpm agrees with rpm's own rpm.vercmp", .enabled(if: rpmlua.isAvailableOrRequired))
  func rpmDifferential() async throws {
    var generator = SeededGenerator(seed: 0x52504D)
    let noise = Array("0123456789azAZ.-_~^:+%".utf8)
    let garbage = (0..<200).map { _ in
      let pick = {
        String(
          decoding: (0..<Int.random(in: 1...8, using: &generator)).map { _ in
            noise.randomElement(using: &generator)!
          }, as: UTF8.self)
      }
      return (pick(), pick())
    }
    let pairs =
      GeneratedVersion.pairs(1_500, Self.rpmVocabulary, seed: 0x2F3D)
      + garbage + Self.rpmCases.map { ($0.0, $0.1) }
    let answers = try await Self.rpmAnswers(pairs)
    var mismatches: [String] = []
    for ((a, b), answer) in zip(pairs, answers) {
      let ours = PackageVersion.compare(a, b, scheme: .rpm)
      if ours != answer { mismatches.append("\(a) vs \(b): rpm \(answer), InfraSpec \(ours)") }
    }
    #expect(answers.count == pairs.count)
    #expect(mismatches == [])
  }

  /// Asks rpm's Lua interpreter about every pair in one script; strings travel as decimal
  /// escapes so no byte needs quoting.
  static func rpmAnswers(_ pairs: [(String, String)]) async throws -> [VersionOrder] {
    func literal(_ text: String) -> String {
      "\"" + text.utf8.map { "\\" + String($0) }.joined() + "\""
    }
    let script = pairs.map { "io.write(rpm.vercmp(\(literal($0.0)), \(literal($0.1))), \"\\n\")\n" }
      .joined()
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("infraspec-vercmp-\(UUID().uuidString).lua")
    try Data(script.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let output = try await rpmlua.runOffPool([file.path])
    return try output.split(separator: "\n").map { line in
      switch line {
      case "-1": .older
      case "0": .same
      case "1": .newer
      default: throw ReferenceTool.Failure(description: "rpm.vercmp answered \(line)")
      }
    }
  }
}
