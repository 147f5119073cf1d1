@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// What a web server answers to one GET, asked by InfraSpec's own HTTP/1.1 client from the
/// host's point of view; redirects are not followed, so they can be checked.
///
///     HTTP("https://www.pop.test:8443/", via: "127.0.0.1").status(200)
///       .header("Cache-Control", contains: "stale-if-error").body(contains: "hello")
public struct HTTP: Resource {
  public var __chain: __ResourceChain
  let request: HTTPRequestSpec

  /// `url`'s host is the SNI and the `Host` header; `via` is the address to connect to (one PoP,
  /// not whichever the resolver picks); `headers` are sent with the request; `timeout` bounds
  /// the whole exchange.
  public init(
    _ url: String, via: String? = nil, headers: [String: String] = [:], timeout: Duration = .seconds(10)
  ) {
    request = HTTPRequestSpec(url: url, via: via, headers: headers, timeout: timeout)
    __chain = __ResourceChain(
      subject: "http \(TextMatch.show(url).dropFirst().dropLast())", plan: HTTPProbe.get(request))
  }

  /// The response status code.
  public func status(_ code: Int, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self
  {
    adding("status", expected: String(code), file: file, line: line, column: column) {
      (response: HTTPResponse) in
      expectEqual(String(code), String(response.status))
    }
  }

  /// A redirect (301, 302, 303, 307 or 308) whose `Location`, resolved against the URL, is `target`.
  public func redirects(to target: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let url = request.url
    return adding(
      "redirect", expected: target, title: "redirects to \(target)", file: file, line: line, column: column
    ) {
      (response: HTTPResponse) in
      guard [301, 302, 303, 307, 308].contains(response.status) else {
        return .fail(expected: target, actual: "status \(response.status), no redirect")
      }
      guard let location = response.header("Location") else {
        return .fail(expected: target, actual: "status \(response.status) without Location")
      }
      let resolved = (try? HTTPTarget(url))?.resolve(location) ?? location
      return expectEqual(target, resolved)
    }
  }

  /// The header (all its values joined by ", ") equals `value`.
  public func header(
    _ name: String, equals value: String, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    adding(
      "header \(name)", expected: TextMatch.show(value), title: "header \(name) is \(value)", file: file,
      line: line,
      column: column
    ) { (response: HTTPResponse) in
      guard let actual = response.header(name) else {
        return .fail(expected: TextMatch.show(value), actual: "absent")
      }
      return actual == value ? .pass : .fail(expected: TextMatch.show(value), actual: TextMatch.show(actual))
    }
  }

  /// The header contains `text`.
  public func header(
    _ name: String, contains text: String, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    adding(
      "header \(name)", expected: "to contain \(TextMatch.show(text))",
      title: "header \(name) contains \(text)",
      file: file, line: line, column: column
    ) { (response: HTTPResponse) in
      guard let actual = response.header(name) else {
        return .fail(expected: "to contain \(TextMatch.show(text))", actual: "absent")
      }
      return TextMatch.contains(text, in: actual)
    }
  }

  /// The header matches the regular expression `pattern`.
  public func header(
    _ name: String, matches pattern: String, file: String = #filePath, line: Int = #line,
    column: Int = #column
  ) -> Self {
    adding(
      "header \(name)", expected: "to match /\(pattern)/", title: "header \(name) matches /\(pattern)/",
      file: file,
      line: line, column: column
    ) { (response: HTTPResponse) in
      guard let actual = response.header(name) else {
        return .fail(expected: "to match /\(pattern)/", actual: "absent")
      }
      return TextMatch.matches(pattern, in: actual)
    }
  }

  /// The response has no such header (a debug header that must not leak, say).
  public func lacksHeader(_ name: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "header \(name)", expected: "absent", title: "lacks header \(name)", file: file, line: line,
      column: column
    ) {
      (response: HTTPResponse) in
      response.header(name).map { .fail(expected: "absent", actual: TextMatch.show($0)) } ?? .pass
    }
  }

  /// `Cache-Control` has the directive (`"no-store"`, `"stale-if-error"`).
  public func cacheControl(
    _ directive: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    adding(
      "cache-control", expected: "to include \(directive)", title: "cache-control has \(directive)",
      file: file,
      line: line, column: column
    ) { (response: HTTPResponse) in
      let cache = CacheControl(response.header("Cache-Control") ?? "")
      return cache.has(directive)
        ? .pass
        : .fail(expected: "to include \(directive)", actual: Self.show(response.header("Cache-Control")))
    }
  }

  /// A `Cache-Control` delta-seconds directive (`max-age`, `s-maxage`, `stale-while-revalidate`,
  /// `stale-if-error`) lies within the bounds.
  public func cacheControl(
    _ directive: String, atLeast minimum: Duration = .zero, atMost maximum: Duration? = nil,
    file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let wanted = Self.bounds(minimum, maximum)
    return adding(
      "cache-control \(directive)", expected: wanted, file: file, line: line, column: column
    ) { (response: HTTPResponse) in
      guard let seconds = CacheControl(response.header("Cache-Control") ?? "").seconds(directive) else {
        return .fail(
          expected: wanted, actual: "no \(directive) in \(Self.show(response.header("Cache-Control")))")
      }
      return Self.within(seconds, minimum, maximum) ? .pass : .fail(expected: wanted, actual: "\(seconds)s")
    }
  }

  /// How long a shared cache may keep the response: `s-maxage`, else `max-age`, else `Expires`
  /// minus `Date`; the failure says which one it read.
  public func maxAge(
    atMost maximum: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    freshness(atLeast: .zero, atMost: maximum, file: file, line: line, column: column)
  }

  /// As `maxAge(atMost:)`, with a lower bound: cached at least this long.
  public func maxAge(
    atLeast minimum: Duration, atMost maximum: Duration? = nil, file: String = #filePath, line: Int = #line,
    column: Int = #column
  ) -> Self {
    freshness(atLeast: minimum, atMost: maximum, file: file, line: line, column: column)
  }

  private func freshness(
    atLeast minimum: Duration, atMost maximum: Duration?, file: String, line: Int, column: Int
  ) -> Self {
    let wanted = Self.bounds(minimum, maximum)
    return adding("max age", expected: wanted, file: file, line: line, column: column) {
      (response: HTTPResponse) in
      guard let (seconds, source) = Self.freshness(response) else {
        return .fail(expected: wanted, actual: "no s-maxage, max-age or Expires")
      }
      return Self.within(seconds, minimum, maximum)
        ? .pass : .fail(expected: wanted, actual: "\(seconds)s (\(source))")
    }
  }

  /// `Expires` is at least `duration` after the response's `Date` (or the time it arrived).
  public func expires(
    after duration: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    expiry(Self.bounds(duration, nil), atLeast: duration, atMost: nil, file: file, line: line, column: column)
  }

  /// `Expires` is at most `duration` after the response's `Date`: a sale page must not stay cached.
  public func expires(
    before duration: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    expiry(
      Self.bounds(.zero, duration), atLeast: .zero, atMost: duration, file: file, line: line, column: column)
  }

  private func expiry(
    _ wanted: String, atLeast minimum: Duration, atMost maximum: Duration?, file: String, line: Int,
    column: Int
  ) -> Self {
    adding("expires", expected: "\(wanted) after Date", file: file, line: line, column: column) {
      (response: HTTPResponse) in
      guard let text = response.firstHeader("Expires") else {
        return .fail(expected: "\(wanted) after Date", actual: "no Expires")
      }
      guard let expires = HTTPDate.parse(text) else {
        return .cannotCheck("Expires \(TextMatch.show(text)) is not an HTTP date")
      }
      let seconds = expires - Self.date(response)
      return Self.within(seconds, minimum, maximum)
        ? .pass : .fail(expected: "\(wanted) after Date", actual: "\(seconds)s (\(text))")
    }
  }

  /// The `Age` header (seconds a cache has held the response) is at most `maximum`; absent is 0.
  public func age(
    atMost maximum: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let wanted = Self.bounds(.zero, maximum)
    return adding("age", expected: wanted, file: file, line: line, column: column) {
      (response: HTTPResponse) in
      guard let text = response.firstHeader("Age") else { return .pass }
      guard let seconds = Int64(text) else {
        return .cannotCheck("Age \(TextMatch.show(text)) is not a number")
      }
      return Self.within(seconds, .zero, maximum) ? .pass : .fail(expected: wanted, actual: "\(seconds)s")
    }
  }

  /// `Last-Modified` is at most `duration` before the response's `Date`: the content is fresh.
  public func lastModified(
    within duration: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    let wanted = "within \(Self.show(duration)) of Date"
    return adding("last-modified", expected: wanted, file: file, line: line, column: column) {
      (response: HTTPResponse) in
      guard let text = response.firstHeader("Last-Modified") else {
        return .fail(expected: wanted, actual: "no Last-Modified")
      }
      guard let modified = HTTPDate.parse(text) else {
        return .cannotCheck("Last-Modified \(TextMatch.show(text)) is not an HTTP date")
      }
      let age = Self.date(response) - modified
      return age <= duration.components.seconds
        ? .pass : .fail(expected: wanted, actual: "\(CertificateJudge.span(age)) before (\(text))")
    }
  }

  /// The body contains `text` (searched in the first 8 MiB).
  public func body(contains text: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "body", expected: "to contain \(TextMatch.show(text))", title: "body contains \(text)", file: file,
      line: line,
      column: column
    ) { (response: HTTPResponse) in
      let body = String(decoding: response.body, as: UTF8.self)
      let verdict = TextMatch.contains(text, in: body)
      if verdict != .pass, response.bodyTruncated {
        return .cannotCheck(
          "the body is longer than \(response.body.count / 1_048_576) MiB; only that much was read")
      }
      return verdict
    }
  }

  /// The body matches the regular expression `pattern` (searched in the first 8 MiB).
  public func body(
    matches pattern: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    adding(
      "body", expected: "to match /\(pattern)/", title: "body matches /\(pattern)/", file: file, line: line,
      column: column
    ) { (response: HTTPResponse) in
      let verdict = TextMatch.matches(pattern, in: String(decoding: response.body, as: UTF8.self))
      if case .fail = verdict, response.bodyTruncated {
        return .cannotCheck(
          "the body is longer than \(response.body.count / 1_048_576) MiB; only that much was read")
      }
      return verdict
    }
  }

  /// The whole body's SHA-256, in hex (bodies over 8 MiB cannot be checked this way).
  public func body(sha256 digest: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let wanted = digest.lowercased()
    return adding("body sha256", expected: wanted, file: file, line: line, column: column) {
      (response: HTTPResponse) in
      guard let actual = response.bodySHA256 else {
        return .cannotCheck(
          "the body is longer than \(response.body.count / 1_048_576) MiB; it was not read whole")
      }
      return expectEqual(wanted, actual)
    }
  }

  /// The exchange, from sending the request to the last body byte, took at most `budget`.
  public func responseTime(
    atMost budget: Duration, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    let wanted = "at most \(budget.formatted)"
    return adding("response time", expected: wanted, file: file, line: line, column: column) {
      (response: HTTPResponse) in
      response.elapsed <= budget ? .pass : .fail(expected: wanted, actual: response.elapsed.formatted)
    }
  }

  /// Offering `h2` and `http/1.1`, the server selects `selected` by ALPN (`"h2"`: HTTP/2 is on).
  public func alpn(_ selected: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    guard let endpoint = HTTPProbe.endpoint(request) else {
      return adding("alpn", expected: selected, file: file, line: line, column: column) { (_: HTTPResponse) in
        .cannotCheck("ALPN needs an https:// URL")
      }
    }
    return adding(
      "alpn", expected: selected, file: file, line: line, column: column,
      plan: TLSProbe.handshake(endpoint, alpn: ["h2", "http/1.1"])
    ) { (facts: TLSFacts) in
      expectEqual(selected, facts.handshake.alpn ?? "none")
    }
  }

  static func freshness(_ response: HTTPResponse) -> (Int64, String)? {
    let cache = CacheControl(response.header("Cache-Control") ?? "")
    if let seconds = cache.seconds("s-maxage") { return (seconds, "s-maxage") }
    if let seconds = cache.seconds("max-age") { return (seconds, "max-age") }
    if let text = response.firstHeader("Expires"), let expires = HTTPDate.parse(text) {
      return (expires - date(response), "Expires - Date")
    }
    return nil
  }

  /// The response's `Date`, else when it arrived.
  static func date(_ response: HTTPResponse) -> Int64 {
    response.firstHeader("Date").flatMap(HTTPDate.parse) ?? response.receivedAt
  }

  static func within(_ seconds: Int64, _ minimum: Duration, _ maximum: Duration?) -> Bool {
    seconds >= minimum.components.seconds && maximum.map { seconds <= $0.components.seconds } ?? true
  }

  static func bounds(_ minimum: Duration, _ maximum: Duration?) -> String {
    switch (minimum == .zero, maximum) {
    case (true, let maximum?): "at most \(show(maximum))"
    case (false, let maximum?): "\(show(minimum)) to \(show(maximum))"
    default: "at least \(show(minimum))"
    }
  }

  static func show(_ duration: Duration) -> String { "\(duration.components.seconds)s" }

  static func show(_ header: String?) -> String {
    header.map { TextMatch.show($0, limit: 300) } ?? "no Cache-Control"
  }
}
