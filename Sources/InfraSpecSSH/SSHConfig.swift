@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials
internal import Glibc
internal import InfraSpecPlatform

/// The parts of an OpenSSH client configuration (`~/.ssh/config`) that decide how to reach a host.
///
/// Like `ssh`, the first value found for a keyword wins, `Host` blocks match the name given on
/// the command line, and `IdentityFile` accumulates. Keywords that do not change where or how
/// InfraSpec connects are ignored; ones that would, but that this parser cannot honour, are
/// reported in `warnings` so a run never silently connects differently from `ssh`.
struct SSHConfig: Equatable {
  struct Line: Equatable {
    var keyword: String
    var arguments: [String]
    var location: String
  }

  struct Block: Equatable {
    /// `nil` for the lines before the first `Host`, which apply to every host.
    var patterns: [String]?
    var isMatch = false
    var lines: [Line] = []
  }

  var blocks: [Block] = []
  /// Set when the configuration cannot be used as a whole (includes nested too deep).
  var error: String?

  /// OpenSSH refuses includes nested deeper than this (`READCONF_MAX_DEPTH`).
  static let maximumIncludeDepth = 16

  /// Parses `text`; `Include` names are resolved against `directory`, as `ssh` does for the user config.
  init(text: String, name: String, directory: String, depth: Int = 0) {
    blocks = [Block(patterns: nil)]
    for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if error != nil { break }
      let words = Self.words(raw)
      guard var keyword = words.first?.lowercased() else { continue }
      var arguments = Array(words.dropFirst())
      if let equals = keyword.firstIndex(of: "=") {
        let value = String(keyword[keyword.index(after: equals)...])
        keyword = String(keyword[..<equals])
        if !value.isEmpty { arguments.insert(value, at: 0) }
      } else if arguments.first == "=" {
        arguments.removeFirst()
      } else if let first = arguments.first, first.hasPrefix("=") {
        arguments[0] = String(first.dropFirst())
      }
      let location = "\(name):\(number + 1)"
      switch keyword {
      case "host":
        blocks.append(Block(patterns: arguments))
      case "match":
        blocks.append(
          Block(
            patterns: [], isMatch: true,
            lines: [Line(keyword: keyword, arguments: arguments, location: location)]))
      case "include":
        guard depth < Self.maximumIncludeDepth else {
          error =
            "\(location): Include nested more than \(Self.maximumIncludeDepth) levels deep (does a file include itself?)"
          break
        }
        for argument in arguments where error == nil {
          let pattern =
            argument.hasPrefix("/") || argument.hasPrefix("~") ? argument : directory + "/" + argument
          for path in Self.glob(SSHConfig.expandTilde(pattern)) where error == nil {
            guard let included = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let nested = SSHConfig(text: included, name: path, directory: directory, depth: depth + 1)
            error = nested.error
            // Lines of an included file belong to the enclosing block until the file starts its own.
            blocks[blocks.count - 1].lines += nested.blocks[0].lines
            blocks += nested.blocks.dropFirst()
          }
        }
      default:
        blocks[blocks.count - 1].lines.append(
          Line(keyword: keyword, arguments: arguments, location: location))
      }
    }
  }

  /// Reads the file at `path`; a missing file is an empty configuration.
  init(contentsOf path: String) throws(ProbeError) {
    guard FileManager.default.fileExists(atPath: path) else {
      self.init(text: "", name: path, directory: path.parentPath)
      return
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw .connection("cannot read SSH config file \(path)")
    }
    self.init(
      text: text, name: path.lastPathPart,
      directory: path.parentPath)
    if let error { throw .connection("SSH config \(path) cannot be used: \(error)") }
  }

  /// What the configuration says for `alias`, the host name as the user typed it.
  func settings(for alias: String) -> SSHHostSettings {
    var settings = SSHHostSettings()
    var seen: Set<String> = []
    for block in blocks {
      if block.isMatch {
        let location = block.lines.first?.location ?? ""
        settings.warnings.append(
          "\(location): Match blocks are not supported by InfraSpec's SSH config reader; ignored")
        continue
      }
      if let patterns = block.patterns, !Self.matches(alias, patterns: patterns) { continue }
      for line in block.lines {
        let value = line.arguments.first ?? ""
        if line.keyword == "identityfile" {
          settings.identityFiles.append(value)
          continue
        }
        guard !seen.contains(line.keyword) else { continue }
        seen.insert(line.keyword)
        switch line.keyword {
        case "hostname": settings.hostName = value
        case "user": settings.user = value
        case "port": settings.port = UInt16(value)
        case "identitiesonly": settings.identitiesOnly = value.lowercased() == "yes"
        case "userknownhostsfile": settings.userKnownHostsFiles = line.arguments
        case "globalknownhostsfile": settings.globalKnownHostsFiles = line.arguments
        case "stricthostkeychecking": settings.strictHostKeyChecking = value.lowercased()
        case "connecttimeout": settings.connectTimeout = Int(value).map { .seconds($0) }
        case "hostkeyalias": settings.hostKeyAlias = value
        case "proxyjump": settings.proxyJump = value.lowercased() == "none" ? nil : value
        case "proxycommand":
          settings.proxyCommand = value.lowercased() == "none" ? nil : line.arguments.joined(separator: " ")
        case "certificatefile", "pkcs11provider", "securitykeyprovider", "knownhostscommand",
          "canonicalizehostname",
          "hostbasedauthentication", "remotecommand":
          settings.warnings.append(
            "\(line.location): \(line.keyword) is not supported by the libssh2 transport; use the OpenSSH client (--ssh-client openssh)"
          )
        default: break
        }
      }
    }
    settings.identityFiles = settings.identityFiles.filter { $0.lowercased() != "none" }
    return settings
  }

  /// OpenSSH host pattern lists: `*` and `?` wildcards, `!` negates and wins, case-insensitive.
  static func matches(_ host: String, patterns: [String]) -> Bool {
    var matched = false
    for entry in patterns.flatMap({ $0.split(separator: ",").map(String.init) }) {
      if entry.hasPrefix("!") {
        if wildcard(host.lowercased(), String(entry.dropFirst()).lowercased()) { return false }
      } else if wildcard(host.lowercased(), entry.lowercased()) {
        matched = true
      }
    }
    return matched
  }

  /// `*` and `?` as OpenSSH matches `Host` patterns; the same linear matcher as `--limit`.
  static func wildcard(_ text: String, _ pattern: String) -> Bool { Glob.matches(pattern, text) }

  static func expandTilde(_ path: String, home: String = homeDirectory()) -> String {
    if path == "~" { return home }
    if path.hasPrefix("~/") { return home + path.dropFirst() }
    return path
  }

  /// Splits a line into words the way `ssh` does: blanks separate, double quotes group, `#` starts a comment.
  private static func words(_ line: Substring) -> [String] {
    var words: [String] = []
    var current = ""
    var inQuotes = false
    var hasWord = false
    for character in line {
      if character == "\"" {
        inQuotes.toggle()
        hasWord = true
      } else if !inQuotes && (character == " " || character == "\t" || character == "\r") {
        if hasWord { words.append(current) }
        current = ""
        hasWord = false
      } else if !inQuotes && character == "#" && !hasWord {
        break
      } else {
        current.append(character)
        hasWord = true
      }
    }
    if hasWord { words.append(current) }
    return words
  }

  private static func glob(_ pattern: String) -> [String] {
    var result = glob_t()
    defer { globfree(&result) }
    guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
    return (0..<Int(result.gl_pathc)).compactMap { index in result.gl_pathv[index].map { String(cString: $0) }
    }
  }
}
