@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A file, directory or symbolic link, checked without following a final symlink.
///
///     File("/etc/ssh/sshd_config").isFile().mode(0o644).owner("root")
///     File("/etc/nginx/nginx.conf").contains("worker_processes auto;")
public struct File: Resource {
  public var __chain: __ResourceChain
  let path: String

  /// Written alone, `File(path)` checks that the path exists.
  public init(_ path: String) {
    self.path = path
    __chain = __ResourceChain(subject: "file \(path)", plan: FileProbe.plan(path))
  }

  /// The path exists (as anything: file, directory, link).
  public func exists(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("exists", wanted: true, expected: "to exist", file: file, line: line, column: column)
  }

  /// Nothing exists at the path.
  public func doesNotExist(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence(
      "does not exist", wanted: false, expected: "no such file", file: file, line: line, column: column
    ) { facts in (facts as? FileFacts).map { "a \($0.kind.rawValue)" } ?? "present" }
  }

  /// A regular file (not a symlink to one).
  ///
  ///     File("/etc/passwd").isFile()
  ///
  /// Fails with `file /etc/passwd: type: expected file, got directory`.
  public func isFile(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    kind(.file, file: file, line: line, column: column)
  }

  /// A directory.
  ///
  ///     File("/tmp").isDirectory()
  ///
  /// Fails with `file /tmp: type: expected directory, got file`.
  public func isDirectory(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    kind(.directory, file: file, line: line, column: column)
  }

  /// A symbolic link (see `linksTo(_:)` for its target).
  ///
  ///     File("/bin/sh").isSymlink()
  ///
  /// Fails with `file /bin/sh: type: expected symlink, got file`.
  public func isSymlink(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    kind(.symlink, file: file, line: line, column: column)
  }

  private func kind(_ wanted: FileFacts.Kind, file: String, line: Int, column: Int) -> Self {
    adding(
      "type", expected: wanted.rawValue, title: "is a \(wanted.rawValue)", file: file, line: line,
      column: column
    ) { (facts: FileFacts) in expectEqual(wanted.rawValue, facts.kind.rawValue) }
  }

  /// Permission bits, written in octal: `mode(0o640)`. A mode written in decimal digits
  /// (`mode(644)`) is named as such when the file's mode has those digits in octal.
  public func mode(_ mode: Int, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    guard (0...0o7777).contains(mode) else {
      return addingMistake(
        "mode", expected: "\(mode)", title: "mode \(mode)",
        message: "\(mode) is not a permission mode (at most 0o7777); write it in octal, e.g. 0o644",
        file: file, line: line, column: column)
    }
    let expected = Self.octal(mode)
    return adding("mode", expected: expected, file: file, line: line, column: column) { (facts: FileFacts) in
      if facts.mode != mode && String(mode) == String(facts.mode, radix: 8) {
        return .fail(
          expected: expected, actual: "\(Self.octal(facts.mode)) (\(mode) is decimal; write 0o\(mode))")
      }
      return expectEqual(expected, Self.octal(facts.mode))
    }
  }

  /// Owned by `user` (a name).
  ///
  ///     File("/etc/shadow").owner("root")
  ///
  /// Fails with `file /etc/shadow: owner: expected root, got daemon`.
  public func owner(_ user: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding("owner", expected: user, file: file, line: line, column: column) { (facts: FileFacts) in
      expectEqual(user, facts.owner)
    }
  }

  /// Group-owned by `group` (a name).
  ///
  ///     File("/etc/shadow").group("shadow")
  ///
  /// Fails with `file /etc/shadow: group: expected shadow, got root`.
  public func group(_ group: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding("group", expected: group, file: file, line: line, column: column) { (facts: FileFacts) in
      expectEqual(group, facts.group)
    }
  }

  /// Size in bytes.
  public func size(_ bytes: Int, file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    adding("size", expected: "\(bytes) bytes", file: file, line: line, column: column) { (facts: FileFacts) in
      expectEqual("\(bytes) bytes", "\(facts.size) bytes")
    }
  }

  /// The SHA-256 of the content, in hex.
  public func sha256(_ digest: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let wanted = digest.lowercased()
    return adding(
      "sha256", expected: wanted, file: file, line: line, column: column, plan: Self.sha256Plan(path)
    ) { (content: FileContent) in
      guard let digest = content.text else { return Self.unreadable(content, expected: wanted) }
      return expectEqual(wanted, digest)
    }
  }

  /// The content contains `text` literally.
  public func contains(_ text: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "content", expected: "to contain \(TextMatch.show(text))", title: "contains \(TextMatch.show(text))",
      file: file, line: line, column: column, plan: contentPlan
    ) { (content: FileContent) in
      guard let found = content.text else {
        return Self.unreadable(content, expected: "to contain \(TextMatch.show(text))")
      }
      return TextMatch.contains(text, in: found)
    }
  }

  /// Some line of the content matches the regular expression (Swift `Regex` syntax).
  public func matches(_ pattern: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "content", expected: "to match /\(pattern)/", title: "matches /\(pattern)/", file: file, line: line,
      column: column, plan: contentPlan
    ) { (content: FileContent) in
      guard let found = content.text else {
        return Self.unreadable(content, expected: "to match /\(pattern)/")
      }
      return TextMatch.matches(pattern, in: found)
    }
  }

  /// Where the symbolic link points, as `readlink` prints it.
  public func linksTo(_ target: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "link target", expected: target, title: "links to \(target)", file: file, line: line, column: column,
      plan: Self.linkPlan(path)
    ) { (content: FileContent) in
      guard let found = content.text else {
        return .fail(expected: "a symbolic link to \(target)", actual: "a \(content.stat.kind.rawValue)")
      }
      return expectEqual(target, found)
    }
  }

  /// `sha256sum` of the path; `FileContent.text` is the digest in hex. `infraspec capture` reads
  /// digests through this plan too.
  static func sha256Plan(_ path: String) -> FactPlanner {
    FileProbe.plan(path, reading: FileProbe.sha256Command(path), onlyFor: readable) {
      stat, output in
      // GNU sha256sum starts the line with `\` when the name holds a backslash or a newline.
      FileContent(stat: stat, text: output.map { String($0.drop { $0 == "\\" }.prefix { !$0.isWhitespace }) })
    }
  }

  /// `readlink` of the path, for symbolic links; `FileContent.text` is the target.
  static func linkPlan(_ path: String) -> FactPlanner {
    FileProbe.plan(path, reading: FileProbe.readlinkCommand(path), onlyFor: [.symlink]) {
      stat, output in
      FileContent(stat: stat, text: output?.trimmingWhitespace())
    }
  }

  private var contentPlan: FactPlanner {
    FileProbe.plan(path, reading: FileProbe.catCommand(path), onlyFor: Self.readable) { stat, output in
      FileContent(stat: stat, text: output)
    }
  }

  /// Kinds whose content is read: a symbolic link is read through, as `cat` does; a directory,
  /// FIFO or device is not (a FIFO would block the reader).
  static let readable: Set<FileFacts.Kind> = [.file, .symlink]

  /// A content assertion on a path that has no content to read fails, saying what is there.
  private static func unreadable(_ content: FileContent, expected: String) -> Verdict {
    .fail(
      expected: "a regular file \(expected)",
      actual: "a \(content.stat.kind.rawValue), whose content is not read")
  }

  static func octal(_ mode: Int) -> String { "0" + String(mode, radix: 8).leftPadded(to: 3) }
}
