@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import InfraSpecCrypto
internal import FoundationEssentials
internal import InfraSpecPlatform

#if canImport(Glibc)
  import Glibc
#endif

/// OpenSSH `known_hosts` files, read by InfraSpec itself: libssh2 ignores `@revoked` and cannot say
/// which key types a host is known by, which InfraSpec needs to steer the key exchange.
struct KnownHosts {
  enum Marker: Equatable {
    case revoked
    case certificateAuthority
  }

  struct Entry: Equatable {
    var marker: Marker?
    /// Comma-separated patterns, or one hashed name (`|1|salt|hash`).
    var hosts: String
    var keyType: String
    var key: [UInt8]
    var location: String
  }

  /// Why a host key is or is not trusted.
  enum Verdict: Equatable {
    case trusted
    case unknown
    case changed(Entry)
    case revoked(Entry)
  }

  /// Host key algorithms libssh2 1.10 can verify, in OpenSSH's order of preference.
  static let supportedKeyTypes = [
    "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
  ]

  var entries: [Entry] = []
  /// Lines that were skipped, said in words (unknown markers, bad base64).
  var issues: [String] = []

  init(text: String, name: String) {
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard let first = fields.first, !first.hasPrefix("#") else { continue }
      let location = "\(name):\(number + 1)"
      var marker: Marker?
      if first.hasPrefix("@") {
        switch first {
        case "@revoked": marker = .revoked
        case "@cert-authority": marker = .certificateAuthority
        default:
          issues.append("\(location): unknown marker \(first); line ignored")
          continue
        }
        fields.removeFirst()
      }
      guard fields.count >= 3 else {
        issues.append("\(location): expected hosts, key type and key; line ignored")
        continue
      }
      guard let key = Data(base64Encoded: fields[2]) else {
        issues.append("\(location): key is not valid base64; line ignored")
        continue
      }
      entries.append(
        Entry(marker: marker, hosts: fields[0], keyType: fields[1], key: Array(key), location: location))
    }
  }

  /// Reads every file in `paths` that exists, in order.
  init(paths: [String]) {
    for path in paths {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
      let file = KnownHosts(text: text, name: path)
      entries += file.entries
      issues += file.issues
    }
  }

  /// The name known_hosts uses for a host: `host` on port 22, `[host]:port` elsewhere.
  static func name(host: String, port: UInt16) -> String {
    port == 22 ? host : "[\(host)]:\(port)"
  }

  /// Entries whose host field matches `name` (built with `name(host:port:)`).
  func entries(matching name: String) -> [Entry] {
    entries.filter { Self.hostField($0.hosts, matches: name) }
  }

  /// The key types to offer in the key exchange: those known for this host, or all supported ones.
  ///
  /// Without this libssh2 picks ECDSA and then reports a mismatch for a host known by its ed25519 key.
  func preferredKeyTypes(for name: String) -> [String] {
    let known = Set(entries(matching: name).filter { $0.marker == nil }.map(\.keyType))
    let preferred = Self.supportedKeyTypes.filter { known.contains($0) }
    return preferred.isEmpty ? Self.supportedKeyTypes : preferred
  }

  func verify(name: String, keyType: String, key: [UInt8]) -> Verdict {
    let matching = entries(matching: name)
    if let revoked = matching.first(where: { $0.marker == .revoked && $0.key == key }) {
      return .revoked(revoked)
    }
    let plain = matching.filter { $0.marker == nil && $0.keyType == keyType }
    if plain.contains(where: { $0.key == key }) { return .trusted }
    if let changed = plain.first { return .changed(changed) }
    return .unknown
  }

  /// The `@cert-authority` entry that would apply to `name`, to explain why it does not help.
  func certificateAuthority(for name: String) -> Entry? {
    entries(matching: name).first { $0.marker == .certificateAuthority }
  }

  static func hostField(_ field: String, matches name: String) -> Bool {
    if field.hasPrefix("|1|") {
      let parts = field.split(separator: "|", omittingEmptySubsequences: false)
      guard parts.count == 4, let salt = Data(base64Encoded: String(parts[2])),
        let hash = Data(base64Encoded: String(parts[3]))
      else { return false }
      return Digest.hmac(.sha1, key: salt, Array(name.utf8)) == Array(hash)
    }
    return SSHConfig.matches(name, patterns: [field])
  }

  /// OpenSSH's fingerprint format: `SHA256:` and unpadded base64.
  static func fingerprint(_ key: [UInt8]) -> String {
    let digest = Data(Digest.sha256(key)).base64EncodedString()
    return "SHA256:" + digest.replacing("=", with: "")
  }

  /// What both transports say when a host offers a key other than the one known for it.
  static func changedMessage(name: String, entry: Entry, fingerprint: String) -> String {
    "HOST KEY CHANGED for \(name): \(entry.location) has \(entry.keyType) \(Self.fingerprint(entry.key)), the host now offers \(fingerprint). Someone could be intercepting the connection, or the host was reinstalled; refusing to connect. If the change is expected, verify the new key and replace line \(entry.location)."
  }

  /// What both transports say when a host offers a key marked `@revoked`.
  static func revokedMessage(name: String, entry: Entry, fingerprint: String) -> String {
    "host key of \(name) is REVOKED (@revoked at \(entry.location)): \(entry.keyType) \(fingerprint); refusing to connect"
  }

  /// The line that trusts `key` for `name`, ready for a known_hosts file.
  static func line(name: String, keyType: String, key: [UInt8]) -> String {
    "\(name) \(keyType) \(Data(key).base64EncodedString())"
  }

  /// The algorithm name inside an SSH public key blob (its first string).
  static func keyType(ofBlob blob: [UInt8]) -> String? {
    guard blob.count >= 4 else { return nil }
    let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
    guard length > 0, length < 64, blob.count >= 4 + length else { return nil }
    return String(decoding: blob[4..<4 + length], as: UTF8.self)
  }

  /// Appends `line` to the file at `path`, creating it (and a private `~/.ssh`) when missing.
  ///
  /// One writer at a time (a lock here, `flock` against other processes), one `write` of the
  /// whole line to a descriptor opened with `O_APPEND`: hosts connecting side by side under
  /// `--jobs` each add their line, and no other line is ever rewritten.
  static func append(_ line: String, to path: String) throws(ProbeError) {
    let directory = path.parentPath
    if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
      do {
        try FileManager.default.createDirectory(
          atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      } catch {
        throw .other("cannot create \(directory) for known_hosts: \(reason(of: error))")
      }
    }
    appendLock.lock()
    defer { appendLock.unlock() }
    let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw .other("cannot add the host key to \(path): \(String(cString: strerror(errno)))")
    }
    defer { _ = close(descriptor) }
    _ = flock(descriptor, LOCK_EX)
    var text = line + "\n"
    var status = stat()
    if fstat(descriptor, &status) == 0 && status.st_size > 0 {
      var last: UInt8 = 0
      if pread(descriptor, &last, 1, status.st_size - 1) == 1 && last != UInt8(ascii: "\n") {
        text = "\n" + text
      }
    }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count else {
      throw .other("cannot add the host key to \(path): \(String(cString: strerror(errno)))")
    }
  }

  private static let appendLock = ThreadLock()
}
