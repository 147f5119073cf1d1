@_spi(Runner) public import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS

/// A host to reach over SSH as a user writes it: `lax1`, `ops@lax1`, `ops@lax1:2222`,
/// `ssh://ops@lax1:2222`, `[::1]:2222`.
public struct SSHTarget: Sendable, Hashable, CustomStringConvertible {
  /// The login name, when the target names one.
  public var user: String?
  /// The host name, alias from `~/.ssh/config`, or address (IPv6 without brackets).
  public var host: String
  /// The port, when the target names one.
  public var port: UInt16?

  /// Parses `text`; throws when it cannot name a host.
  public init(_ text: String) throws(ProbeError) {
    var rest = Substring(text)
    if rest.hasPrefix("ssh://") {
      rest = rest.dropFirst(6)
      if rest.hasSuffix("/") { rest = rest.dropLast() }
      if rest.contains("/") { throw Self.invalid(text, "an ssh:// target has no path") }
    }
    if let at = rest.lastIndex(of: "@") {
      user = String(rest[..<at])
      rest = rest[rest.index(after: at)...]
      if user?.isEmpty == true { throw Self.invalid(text, "the user name before @ is empty") }
    }
    if rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]") else { throw Self.invalid(text, "missing ]") }
      host = String(rest[rest.index(after: rest.startIndex)..<close])
      let after = rest[rest.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { throw Self.invalid(text, "expected :port after ]") }
        port = try Self.port(after.dropFirst(), in: text)
      }
    } else if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") {
      host = String(rest[..<colon])
      port = try Self.port(rest[rest.index(after: colon)...], in: text)
    } else {
      host = String(rest)
    }
    if host.isEmpty { throw Self.invalid(text, "no host name") }
    // A host starting with "-" would be read as an option by ssh.
    if host.hasPrefix("-") || host.contains(where: { $0.isWhitespace || $0.isNewline }) {
      throw Self.invalid(text, "a host name cannot start with - or contain spaces")
    }
  }

  /// The target as `user@host:port`, brackets around IPv6 addresses.
  public var description: String {
    let name = host.contains(":") ? "[\(host)]" : host
    return (user.map { "\($0)@" } ?? "") + name + (port.map { ":\($0)" } ?? "")
  }

  private static func port(_ text: Substring, in target: String) throws(ProbeError) -> UInt16 {
    guard let port = UInt16(text), port > 0 else {
      throw invalid(target, "port must be a number from 1 to 65535, got \"\(text)\"")
    }
    return port
  }

  private static func invalid(_ text: String, _ why: String) -> ProbeError {
    .connection("invalid SSH target \"\(text)\": \(why)")
  }
}
