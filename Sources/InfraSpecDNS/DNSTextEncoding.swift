@_spi(Runner) internal import InfraSpecCore

/// Base64, base32hex and hex as DNS presentation format uses them, without Foundation.
enum DNSTextEncoding {
  private static let base64Alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  private static let base32HexAlphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUV".utf8)
  private static let hexDigits = Array("0123456789ABCDEF".utf8)

  static func hex(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      out.append(hexDigits[Int(byte >> 4)])
      out.append(hexDigits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func base64(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
      let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
      let value =
        UInt32(chunk[0]) << 16 | UInt32(chunk.count > 1 ? chunk[1] : 0) << 8
        | UInt32(chunk.count > 2 ? chunk[2] : 0)
      out.append(base64Alphabet[Int(value >> 18 & 0x3F)])
      out.append(base64Alphabet[Int(value >> 12 & 0x3F)])
      out.append(chunk.count > 1 ? base64Alphabet[Int(value >> 6 & 0x3F)] : UInt8(ascii: "="))
      out.append(chunk.count > 2 ? base64Alphabet[Int(value & 0x3F)] : UInt8(ascii: "="))
      index += 3
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes base64, ignoring whitespace; nil on any other character.
  static func base64Decode(_ text: String) -> [UInt8]? {
    var values: [UInt8] = []
    for scalar in text.utf8 {
      switch scalar {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(scalar - 65)
      case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(scalar - 97 + 26)
      case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(scalar - 48 + 52)
      case UInt8(ascii: "+"): values.append(62)
      case UInt8(ascii: "/"): values.append(63)
      case UInt8(ascii: "="), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"): continue
      default: return nil
      }
    }
    var out: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for value in values {
      buffer = buffer << 6 | UInt32(value)
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8(buffer >> UInt32(bits) & 0xFF))
      }
    }
    return out
  }

  /// Base32 with the extended hex alphabet, unpadded, as NSEC3 owner names use it (RFC 5155).
  static func base32Hex(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for byte in bytes {
      buffer = buffer << 8 | UInt32(byte)
      bits += 8
      while bits >= 5 {
        bits -= 5
        out.append(base32HexAlphabet[Int(buffer >> UInt32(bits) & 0x1F)])
      }
      buffer &= (1 << UInt32(bits)) - 1
    }
    if bits > 0 {
      out.append(base32HexAlphabet[Int(buffer << UInt32(5 - bits) & 0x1F)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes unpadded base32hex, case-insensitively; nil on a bad character.
  static func base32HexDecode(_ text: [UInt8]) -> [UInt8]? {
    var out: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for character in text {
      let value: UInt8
      switch character {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - 48
      case UInt8(ascii: "A")...UInt8(ascii: "V"): value = character - 65 + 10
      case UInt8(ascii: "a")...UInt8(ascii: "v"): value = character - 97 + 10
      default: return nil
      }
      buffer = buffer << 5 | UInt32(value)
      bits += 5
      if bits >= 8 {
        bits -= 8
        out.append(UInt8(buffer >> UInt32(bits) & 0xFF))
        buffer &= (1 << UInt32(bits)) - 1
      }
    }
    return out
  }

  /// A character-string as dig prints it: quoted, with `"` and `\` escaped and non-printables as `\DDD`.
  static func quoted(_ bytes: [UInt8]) -> String {
    var out = "\""
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        out += "\\" + String(UnicodeScalar(byte))
      case 0x20...0x7E:
        out.unicodeScalars.append(UnicodeScalar(byte))
      default:
        out += "\\" + DNSName.threeDigits(byte)
      }
    }
    return out + "\""
  }
}
