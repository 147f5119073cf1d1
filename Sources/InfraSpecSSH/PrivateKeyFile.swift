@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials
internal import Glibc

/// What a private key file says about itself without decrypting it: its type and whether it
/// needs a passphrase (OpenSSH keys keep the public half in clear).
struct PrivateKeyFile {
  var keyType: String?
  var isEncrypted = false

  init(path: String) {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
    if text.contains("BEGIN RSA PRIVATE KEY") { keyType = "ssh-rsa" }
    if text.contains("BEGIN EC PRIVATE KEY") { keyType = "ecdsa" }
    if text.contains("ENCRYPTED") { isEncrypted = true }
    guard text.contains("BEGIN OPENSSH PRIVATE KEY") else { return }
    let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    guard let data = Data(base64Encoded: body) else { return }
    var reader = Array(data)[...]
    let magic = Array("openssh-key-v1\0".utf8)
    guard reader.starts(with: magic) else { return }
    reader = reader.dropFirst(magic.count)
    guard let cipher = Self.string(&reader), Self.string(&reader) != nil, Self.string(&reader) != nil,
      reader.count >= 4
    else { return }
    reader = reader.dropFirst(4)
    isEncrypted = String(decoding: cipher, as: UTF8.self) != "none"
    if let publicKey = Self.string(&reader) { keyType = KnownHosts.keyType(ofBlob: Array(publicKey)) }
  }

  private static func string(_ reader: inout ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
    guard reader.count >= 4 else { return nil }
    let bytes = Array(reader.prefix(4))
    let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
    guard reader.count >= 4 + length else { return nil }
    let value = reader.dropFirst(4).prefix(length)
    reader = reader.dropFirst(4 + length)
    return value
  }
}
