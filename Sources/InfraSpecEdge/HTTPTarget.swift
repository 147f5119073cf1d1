@_spi(Runner) package import InfraSpecCore
internal import InfraSpecTransports

/// An `http://` or `https://` URL split for a request; control characters, spaces and anything
/// that could smuggle a second request line are refused before a byte is sent.
package struct HTTPTarget: Sendable, Hashable, CustomStringConvertible {
  package var isTLS: Bool
  package var host: String
  package var port: UInt16
  /// Path and query, at least `/`.
  var path: String

  package var description: String {
    let defaultPort: UInt16 = isTLS ? 443 : 80
    let shownHost = host.contains(":") ? "[\(host)]" : host
    return "\(isTLS ? "https" : "http")://\(shownHost)\(port == defaultPort ? "" : ":\(port)")\(path)"
  }

  /// `Host` header value: the name, and the port when it is not the scheme's default.
  var hostHeader: String {
    let shownHost = host.contains(":") ? "[\(host)]" : host
    return shownHost + (port == (isTLS ? 443 : 80) ? "" : ":\(port)")
  }

  package init(_ url: String) throws(ProbeError) {
    if let bad = url.unicodeScalars.first(where: { $0.value < 0x21 || $0.value == 0x7F || !$0.isASCII }) {
      throw .other(
        "the URL \(TextMatch.show(url)) holds \(bad.value < 0x21 ? "a control character or space" : "a non-ASCII character") (U+\(String(bad.value, radix: 16, uppercase: true))); percent-encode it"
      )
    }
    let rest: Substring
    if url.lowercased().hasPrefix("https://") {
      isTLS = true
      rest = url.dropFirst(8)
    } else if url.lowercased().hasPrefix("http://") {
      isTLS = false
      rest = url.dropFirst(7)
    } else {
      throw .other("the URL \(TextMatch.show(url)) is not http:// or https://")
    }
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
    var authority = rest[..<authorityEnd]
    var target = rest[authorityEnd...]
    if let fragment = target.firstIndex(of: "#") { target = target[..<fragment] }
    path = target.isEmpty ? "/" : target.hasPrefix("?") ? "/" + target : String(target)
    if authority.contains("@") {
      throw .other("the URL \(TextMatch.show(url)) holds user info; give credentials as a header")
    }
    var portText: Substring?
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else {
        throw .other("the URL \(TextMatch.show(url)) has an unclosed [")
      }
      host = String(authority[authority.index(after: authority.startIndex)..<close])
      let after = authority[authority.index(after: close)...]
      if after.hasPrefix(":") {
        portText = after.dropFirst()
      } else if !after.isEmpty {
        throw .other("the URL \(TextMatch.show(url)) has text after ]")
      }
    } else {
      if let colon = authority.lastIndex(of: ":") {
        portText = authority[authority.index(after: colon)...]
        authority = authority[..<colon]
      }
      host = String(authority)
    }
    guard !host.isEmpty else { throw .other("the URL \(TextMatch.show(url)) has no host") }
    if let portText {
      guard let number = UInt16(portText), number > 0 else {
        throw .other("the URL \(TextMatch.show(url)) has a bad port \(TextMatch.show(String(portText)))")
      }
      port = number
    } else {
      port = isTLS ? 443 : 80
    }
  }

  /// `location` resolved against this URL (absolute, scheme-relative, absolute-path or relative).
  package func resolve(_ location: String) -> String {
    let lower = location.lowercased()
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return location }
    let scheme = isTLS ? "https:" : "http:"
    if location.hasPrefix("//") { return scheme + location }
    let origin = "\(scheme)//\(hostHeader)"
    if location.hasPrefix("/") { return origin + location }
    let directory = path.split(separator: "?", maxSplits: 1).first.map { String($0) } ?? "/"
    let base =
      directory.hasSuffix("/")
      ? directory : String(directory[...(directory.lastIndex(of: "/") ?? directory.startIndex)])
    return origin + base + location
  }
}
