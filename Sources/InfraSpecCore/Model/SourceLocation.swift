/// Where in a spec file a check was written; editors jump to `file:line:column`.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The spec file's path as the compiler saw it.
  public var file: String
  /// 1-based line.
  public var line: Int
  /// 1-based column.
  public var column: Int

  /// A location, usually from `#filePath`, `#line` and `#column`.
  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  public var description: String { "\(file):\(line):\(column)" }
}
