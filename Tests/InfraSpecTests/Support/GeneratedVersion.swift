/// A version string built from small tokens, so random pairs often share prefixes and differ
/// in exactly the places where ordering rules are subtle.
struct GeneratedVersion {
  /// The tokens one package manager's versions are built from.
  struct Vocabulary {
    var epochs: [String]
    var heads: [String]
    var body: [String]
    var release: [String]
    var releaseChance = 0.6
  }

  var epoch: String?
  var main: [String]
  var release: [String]?

  var text: String {
    (epoch.map { "\($0):" } ?? "") + main.joined() + (release.map { "-" + $0.joined() } ?? "")
  }

  static func random(_ vocabulary: Vocabulary, using generator: inout SeededGenerator) -> Self {
    let epoch =
      Double.random(in: 0..<1, using: &generator) < 0.25
      ? vocabulary.epochs.randomElement(using: &generator) : nil
    var main = [vocabulary.heads.randomElement(using: &generator)!]
    for _ in 0..<Int.random(in: 0...5, using: &generator) {
      main.append(vocabulary.body.randomElement(using: &generator)!)
    }
    var release: [String]?
    if Double.random(in: 0..<1, using: &generator) < vocabulary.releaseChance {
      release = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
        vocabulary.release.randomElement(using: &generator)!
      }
    }
    return GeneratedVersion(epoch: epoch, main: main, release: release)
  }

  /// A copy with one small edit: another epoch, one token of the version or release changed,
  /// added or removed, or the release added or dropped.
  func mutated(_ vocabulary: Vocabulary, using generator: inout SeededGenerator) -> Self {
    var copy = self
    switch Int.random(in: 0..<6, using: &generator) {
    case 0:
      copy.epoch =
        Bool.random(using: &generator)
        ? vocabulary.epochs.randomElement(using: &generator) : nil
    case 1:
      copy.main.insert(
        vocabulary.body.randomElement(using: &generator)!,
        at: Int.random(in: 1...copy.main.count, using: &generator))
    case 2 where copy.main.count > 1:
      copy.main.remove(at: Int.random(in: 1..<copy.main.count, using: &generator))
    case 3 where copy.main.count > 1:
      copy.main[Int.random(in: 1..<copy.main.count, using: &generator)] =
        vocabulary.body.randomElement(using: &generator)!
    case 4:
      copy.release =
        copy.release == nil ? [vocabulary.release.randomElement(using: &generator)!] : nil
    default:
      var release = copy.release ?? []
      release.append(vocabulary.release.randomElement(using: &generator)!)
      copy.release = release
    }
    return copy
  }

  /// `count` pairs: a tenth identical, half one edit apart, the rest unrelated.
  static func pairs(
    _ count: Int, _ vocabulary: Vocabulary, seed: UInt64
  ) -> [(String, String)] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
      let a = random(vocabulary, using: &generator)
      switch Int.random(in: 0..<10, using: &generator) {
      case 0: return (a.text, a.text)
      case 1...5: return (a.text, a.mutated(vocabulary, using: &generator).text)
      default: return (a.text, random(vocabulary, using: &generator).text)
      }
    }
  }
}
