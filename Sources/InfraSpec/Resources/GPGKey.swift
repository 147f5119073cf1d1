@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A key in a GnuPG home on the host, pinned by its full fingerprint and listed with
/// `gpg --with-colons` without changing the keyring.
///
///     GPGKey("0123…FINGERPRINT", homedir: "/etc/pop/gnupg").exists().validFor(atLeast: .days(30))
///       .canEncrypt().hasSecretKey()
public struct GPGKey: Resource {
  public var __chain: __ResourceChain
  let fingerprint: String
  let homedir: String

  /// `homedir` nil is the connecting user's `~/.gnupg`.
  public init(_ fingerprint: String, homedir: String? = nil) {
    let home = homedir ?? ""
    self.fingerprint = fingerprint
    self.homedir = home
    __chain = __ResourceChain(
      subject: "gpg key \(fingerprint)" + (homedir.map { " in \($0)" } ?? ""),
      plan: GPGKeyProbe.plan(fingerprint, homedir: home))
  }

  /// The key is in the keyring.
  public func exists(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("exists", wanted: true, expected: "present", file: file, line: line, column: column)
  }

  /// The key is not in the keyring (a retired key, another PoP's key).
  public func doesNotExist(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence(
      "does not exist", wanted: false, expected: "absent", file: file, line: line, column: column)
  }

  /// The primary key is neither revoked nor expired, and stays valid at least this long.
  public func validFor(
    atLeast duration: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let expected = "valid for at least \(DNSSEC.days(duration))"
    return adding("validity", expected: expected, title: expected, file: file, line: line, column: column) {
      (key: GPGKeyFacts) in
      Self.problem(key.primary, "primary key", forAtLeast: duration, at: key.checkedAt)
        .map { .fail(expected: expected, actual: $0) } ?? .pass
    }
  }

  /// A valid key can encrypt for at least `duration` more: an encryption-capable subkey (or the
  /// primary) neither revoked nor expired, under a valid primary. A valid primary with an expired
  /// encryption subkey fails.
  public func canEncrypt(
    forAtLeast duration: Duration = .zero, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let expected =
      duration == .zero
      ? "a valid encryption key" : "an encryption key valid for at least \(DNSSEC.days(duration))"
    return adding(
      "encryption", expected: expected, title: "can encrypt", file: file, line: line, column: column
    ) {
      (key: GPGKeyFacts) in
      if let problem = Self.problem(key.primary, "primary key", forAtLeast: duration, at: key.checkedAt) {
        return .fail(expected: expected, actual: problem)
      }
      let candidates = ([key.primary] + key.subkeys).filter { $0.capabilities.contains("e") }
      guard !candidates.isEmpty else {
        return .fail(expected: expected, actual: "no key with encryption capability")
      }
      let problems = candidates.map { candidate in
        Self.problem(
          candidate,
          candidate.fingerprint == key.primary.fingerprint
            ? "primary key" : "encryption subkey \(candidate.fingerprint)", forAtLeast: duration,
          at: key.checkedAt)
      }
      if problems.contains(where: { $0 == nil }) { return .pass }
      return .fail(expected: expected, actual: problems.compactMap { $0 }.joined(separator: "; "))
    }
  }

  /// The secret part of the key (primary or a subkey) is in the home: this host can decrypt or sign.
  public func hasSecretKey(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("secret key", expected: "present", title: "has secret key", file: file, line: line, column: column)
    {
      (key: GPGKeyFacts) in
      ([key.primary] + key.subkeys).contains(where: \.hasSecret)
        ? .pass : .fail(expected: "present", actual: "public key only")
    }
  }

  /// No secret part of the key is in the home: this host holds the public key only.
  public func lacksSecretKey(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding(
      "secret key", expected: "absent", title: "lacks secret key", file: file, line: line, column: column
    ) {
      (key: GPGKeyFacts) in
      let secret = ([key.primary] + key.subkeys).filter(\.hasSecret).map(\.fingerprint)
      return secret.isEmpty
        ? .pass : .fail(expected: "absent", actual: "secret for \(secret.joined(separator: ", "))")
    }
  }

  /// A user ID of the key contains `text` (`"pop@example.net"`).
  public func userID(
    contains text: String, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    adding(
      "user id", expected: "to contain \(TextMatch.show(text))", title: "user id contains \(text)",
      file: file,
      line: line, column: column
    ) { (key: GPGKeyFacts) in
      key.userIDs.contains { $0.contains(text) }
        ? .pass
        : .fail(
          expected: "to contain \(TextMatch.show(text))",
          actual: key.userIDs.map { TextMatch.show($0) }.joined(separator: ", "))
    }
  }

  /// The host's copy equals the key server's (HKP, e.g. `http://keys.example.net:11371`): the
  /// same primary key and subkeys, with the same expiry and revocation, so a rotation published
  /// on the server has reached the PoP. The server is asked from the host's point of view.
  public func matchesKeyServer(
    _ server: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    adding(
      "key server", expected: "the same key as \(server)", title: "matches key server \(server)", file: file,
      line: line, column: column,
      plan: GPGKeyProbe.withKeyServer(fingerprint, homedir: homedir, server: server)
    ) { (comparison: KeyServerComparison) in
      let expected = "the same key as \(server)"
      guard let remote = comparison.server.key else {
        return .fail(expected: expected, actual: "the key server answered \(comparison.server.status)")
      }
      let (here, there) = (Self.summary(comparison.host), Self.summary(remote))
      if here == there { return .pass }
      let missing = there.subtracting(here).sorted().map { "server has \($0)" }
      let extra = here.subtracting(there).sorted().map { "host has \($0)" }
      return .fail(expected: expected, actual: (missing + extra).joined(separator: "; "))
    }
  }

  /// Each key as `FINGERPRINT (expires DATE, revoked)`, the parts a rotation changes.
  static func summary(_ key: GPGKeyFacts) -> Set<String> {
    Set(
      ([key.primary] + key.subkeys).map { part in
        let expiry = part.expires.map { "expires \(CertificateJudge.date($0))" } ?? "no expiry"
        return "\(part.fingerprint) (\(expiry)\(part.isRevoked ? ", revoked" : ""))"
      })
  }

  /// Why `key` is not good for `duration` more at `now`; nil when it is.
  static func problem(_ key: GPGKeyFacts.Key, _ name: String, forAtLeast duration: Duration, at now: Int64)
    -> String?
  {
    if key.isRevoked { return "\(name) is revoked" }
    if key.isExpired(at: now) {
      let when =
        key.expires.map { " \(CertificateJudge.span(now - $0)) ago (\(CertificateJudge.date($0)))" } ?? ""
      return "\(name) expired\(when)"
    }
    if key.validity == "i" { return "\(name) is invalid" }
    if let expires = key.expires, expires - now < duration.components.seconds {
      return "\(name) expires in \(CertificateJudge.span(expires - now)) (\(CertificateJudge.date(expires)))"
    }
    return nil
  }
}
