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

/// The fuzz harness's property over its seed corpus and seeded mutations, so plain `swift test` covers it.
@Suite struct DNSFuzzCorpusTests {
  /// SplitMix64: the same mutations on every run and every machine.
  struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static let corpus: [(name: String, bytes: [UInt8])] = {
    let directory = DNSFixture.packageRoot.appendingPathComponent("Tests/Fuzz/corpus")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.sorted().compactMap { name in
      guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
      else {
        return nil
      }
      return (name, [UInt8](data))
    }
  }()

  /// Returns whether the bytes decoded; a decoded message must print and survive re-encoding.
  @discardableResult
  static func check(_ bytes: [UInt8]) -> Bool {
    guard let message = try? DNSMessage(decoding: bytes) else { return false }
    _ = message.description
    let encoded = message.encode()
    if encoded.count <= 65535 {
      #expect((try? DNSMessage(decoding: encoded)) == message)
    }
    return true
  }

  static func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
    var out = bytes
    for _ in 0..<Int.random(in: 1...4, using: &generator) {
      switch Int.random(in: 0..<6, using: &generator) {
      case 0 where !out.isEmpty:
        out[Int.random(in: 0..<out.count, using: &generator)] ^= UInt8(
          1 << Int.random(in: 0..<8, using: &generator))
      case 1 where !out.isEmpty:
        out[Int.random(in: 0..<out.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
      case 2 where !out.isEmpty:
        out.removeLast(Int.random(in: 0...out.count, using: &generator))
      case 3:
        let at = Int.random(in: 0...out.count, using: &generator)
        out.insert(contentsOf: [0xC0, UInt8.random(in: 0...255, using: &generator)], at: at)
      case 4 where out.count > 12:
        out[Int.random(in: 4..<12, using: &generator)] =
          [0, 1, 0xFF][Int.random(in: 0..<3, using: &generator)]
      default:
        out.append(UInt8.random(in: 0...255, using: &generator))
      }
    }
    return out
  }

  @Test("the seed corpus is there and its real responses decode")
  func corpus() {
    #expect(Self.corpus.count >= 20)
    for entry in Self.corpus {
      let decoded = Self.check(entry.bytes)
      #expect(decoded != entry.name.hasPrefix("hostile-"), "\(entry.name)")
    }
  }

  @Test("500 seeded mutations of each corpus file decode or throw, never crash")
  func mutations() {
    var generator = SeededGenerator(state: 20_261_129)
    var decoded = 0
    for entry in Self.corpus {
      for _ in 0..<500 where Self.check(Self.mutate(entry.bytes, using: &generator)) {
        decoded += 1
      }
    }
    #expect(decoded > 0)
  }
}
