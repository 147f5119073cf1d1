/// A 128-bit FNV-1a hash (two 64-bit lanes) of cache-key parts; not cryptographic, and it needs
/// not be: it names cache entries, it guards nothing.
struct ContentHash {
  private var low: UInt64 = 0xcbf2_9ce4_8422_2325
  private var high: UInt64 = 0x6c62_272e_07bb_0142

  mutating func add(_ text: String) {
    for byte in text.utf8 { mix(byte) }
    // A separator, so ("ab", "c") and ("a", "bc") differ.
    mix(0xff)
  }

  private mutating func mix(_ byte: UInt8) {
    low = (low ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    high = (high ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 &+ 0x9e37_79b9
  }

  var hex: String {
    [low, high].map { String($0, radix: 16).leftPadded(to: 16) }.joined()
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
