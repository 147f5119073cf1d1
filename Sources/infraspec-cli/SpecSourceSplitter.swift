/// Moves the statements of large `describe` bodies into functions at file scope before a spec is
/// compiled, so a flat block of 5,000 checks compiles in seconds instead of minutes.
///
/// Why: Swift 6.3 type-checks every statement of a closure inside the one constraint system of
/// the call that holds it, and replays the partial solution for each statement, so a closure's
/// cost grows with the square of its statements: 1,000 `g(i)` lines in a plain closure take
/// 1.6 s, 2,000 take 9 s; 5,000 checks in one `describe` took 394 s. Functions at file scope are
/// checked one by one. The builder's shape does not matter (variadic `buildBlock`,
/// `buildPartialBlock` and a closure with no builder all grow the same way), and a result
/// builder closure may not declare a local function, so the parts go to file scope:
///
///     describe("pop") {                 describe("pop") {
///       File("/a").exists()               __infraspec_part_0()
///       …  (60 statements)          →       …
///     }                                 }
///                                       @MainActor @SpecBuilder func __infraspec_part_0() -> [Check] {
///                                       #sourceLocation(file: "Specs/pop.swift", line: 2)
///                                         File("/a").exists()
///
/// Every moved line keeps its text and, through `#sourceLocation`, its line, so diagnostics,
/// `#line` and `#column` are the user's own. Only what can move is moved: bodies of `describe`
/// calls that sit at the top level or in other movable bodies and declare nothing (a `let` in the
/// body, or a closure parameter, could be used by the statements), split only between lines that
/// end one statement and start another. A source the scan cannot follow (a `/` outside strings
/// and comments, which may start a regex literal; a `#if`) is left as it is. The compiler keeps
/// the last word: when a split source does not compile, the original is compiled instead.
enum SpecSourceSplitter {
  /// Statements per moved part: small enough that a part's own square is cheap.
  static let partSize = 25
  /// Bodies with fewer statements are left in place: they compile in well under a second.
  static let minimumStatements = 40

  /// The source with its large bodies moved into functions, or nil when nothing was moved.
  /// `fileLiteral` is the spec's path as it appears inside a Swift string literal.
  static func split(_ source: String, fileLiteral: String) -> String? {
    guard let scan = Scan(Array(source.utf8)) else { return nil }
    var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard lines.count == scan.lines.count else { return nil }
    let bodies = scan.movableBodies()
    var parts: [String] = []
    // Innermost first: an outer part then moves the inner body's calls with its other lines.
    for body in bodies.sorted(by: { $0.depth > $1.depth }) {
      let statements = scan.statementStarts(in: body)
      guard statements.count >= minimumStatements else { continue }
      for first in stride(from: 0, to: statements.count, by: partSize) {
        let start = statements[first]
        let end = first + partSize < statements.count ? statements[first + partSize] : body.close
        let name = "__infraspec_part_\(parts.count)"
        let moved = lines[start..<end].joined(separator: "\n")
        parts.append(
          "@MainActor @InfraSpec.SpecBuilder func \(name)() -> [InfraSpec.Check] {\n"
            + "#sourceLocation(file: \"\(fileLiteral)\", line: \(start + 1))\n\(moved)\n}")
        let indentation = lines[start].prefix { $0 == " " || $0 == "\t" }
        lines[start] = indentation + name + "()"
        for line in (start + 1)..<end { lines[line] = "" }
      }
    }
    guard !parts.isEmpty else { return nil }
    return lines.joined(separator: "\n") + "\n\n" + parts.joined(separator: "\n\n") + "\n"
  }
}

extension SpecSourceSplitter {
  /// What the splitter knows of a source: per line, the code with literals and comments blanked
  /// out, and the brace and bracket depth where it starts.
  struct Scan {
    struct Line {
      /// The line's code, trimmed; string literals are `"`s, comments are gone.
      var code: [UInt8] = []
      /// Braces open where the line starts.
      var depth = 0
      /// Parentheses and square brackets open where the line starts.
      var grouping = 0
      /// The line starts inside a multi-line string or block comment.
      var startsInLiteral = false
    }

    /// A `describe` body: the line that opens it with `{` and the line holding only its `}`.
    struct Body {
      var open: Int
      var close: Int
      /// Braces open inside the body.
      var depth: Int
    }

    private(set) var lines: [Line] = []
    /// Every brace pair, in the order they open; `parent` is the pair right around it.
    private var braces: [Brace] = []

    private struct Brace {
      var open: Int
      var close = -1
      var parent: Int?
      /// Opens at the end of its line and closes alone on a later line.
      var isBlock = false
      var opensLine: Bool
    }

    /// Nil when the source holds something this scan does not follow.
    init?(_ bytes: [UInt8]) {
      guard let code = Self.blankLiterals(bytes) else { return nil }
      var current = Line()
      var depth = 0
      var grouping = 0
      var open: [Int] = []
      var raw: [UInt8] = []
      func finishLine(startsNextInLiteral: Bool) {
        current.code = Self.trimmed(raw)
        lines.append(current)
        current = Line(depth: depth, grouping: grouping, startsInLiteral: startsNextInLiteral)
        raw = []
      }
      for (index, byte) in code.bytes.enumerated() {
        switch byte {
        case UInt8(ascii: "\n"):
          finishLine(startsNextInLiteral: code.inLiteral[index])
          continue
        case UInt8(ascii: "{"):
          braces.append(
            Brace(open: lines.count, parent: open.last, opensLine: Self.restIsBlank(code.bytes, after: index))
          )
          open.append(braces.count - 1)
          depth += 1
        case UInt8(ascii: "}"):
          guard let opened = open.popLast() else { return nil }
          depth -= 1
          braces[opened].close = lines.count
          // A `{` that ends its line closes on a later one.
          braces[opened].isBlock =
            braces[opened].opensLine && Self.trimmed(raw).isEmpty
            && Self.restIsBlank(code.bytes, after: index)
        case UInt8(ascii: "("), UInt8(ascii: "["): grouping += 1
        case UInt8(ascii: ")"), UInt8(ascii: "]"): grouping -= 1
        default: break
        }
        raw.append(byte)
      }
      finishLine(startsNextInLiteral: false)
      guard open.isEmpty, depth == 0 else { return nil }
    }

    /// The bodies whose statements can move: `describe` bodies at the top level, or inside
    /// other movable bodies, declaring nothing their statements could use.
    func movableBodies() -> [Body] {
      var movable: [Int: Bool] = [:]
      func body(_ index: Int) -> Body {
        Body(open: braces[index].open, close: braces[index].close, depth: lines[braces[index].open].depth + 1)
      }
      func isMovable(_ index: Int) -> Bool {
        if let known = movable[index] { return known }
        let brace = braces[index]
        let opener = lines[brace.open]
        let result =
          brace.isBlock && (brace.parent.map(isMovable) ?? true) && opener.grouping == 0
          && !opener.startsInLiteral && opener.code.starts(with: Array("describe(".utf8))
          && !declaresAnything(body(index))
        movable[index] = result
        return result
      }
      return braces.indices.filter(isMovable).map(body)
    }

    /// The lines in `body` that start a statement of the body itself, in order.
    func statementStarts(in body: Body) -> [Int] {
      var starts: [Int] = []
      var previousEndsStatement = true  // the opening line ends with `{`
      for index in (body.open + 1)..<body.close {
        let line = lines[index]
        guard !line.code.isEmpty else { continue }  // blank, or a comment: moves with its statement
        let atBodyLevel = line.depth == body.depth && line.grouping == 0 && !line.startsInLiteral
        if atBodyLevel && previousEndsStatement && Self.startsStatement(line.code) {
          starts.append(index)
        }
        let next = index + 1 < lines.count ? lines[index + 1] : Line()
        previousEndsStatement =
          next.depth == body.depth && next.grouping == 0 && !next.startsInLiteral
          && Self.endsStatement(line.code)
      }
      return starts
    }

    /// Whether a line at the body's own level declares a name, or is a directive or attribute:
    /// moved statements could not see such a name, so the body stays as written.
    private func declaresAnything(_ body: Body) -> Bool {
      for index in (body.open + 1)..<body.close {
        let line = lines[index]
        guard line.depth == body.depth, line.grouping == 0, !line.startsInLiteral,
          let first = line.code.first
        else { continue }
        if first == UInt8(ascii: "@") || first == UInt8(ascii: "#") { return true }
        if Self.declaringWords.contains(Self.firstWord(line.code)) { return true }
      }
      return false
    }

    static let declaringWords: Set<String> = [
      "let", "var", "func", "struct", "class", "enum", "actor", "protocol", "extension", "typealias",
      "import", "init", "deinit", "subscript", "guard", "defer", "return", "break", "continue",
      "fallthrough", "throw", "lazy", "static", "private", "fileprivate", "internal", "public",
      "package", "nonisolated", "weak", "unowned", "case", "default", "await",
    ]
    /// Words that end a line without ending its statement.
    static let continuingWords: Set<String> = [
      "in", "as", "is", "try", "await", "where", "else", "if", "for", "while", "switch", "guard",
      "case", "return", "throw", "repeat", "do", "catch", "let", "var", "func", "some", "any",
    ]
    /// Words that start a line continuing the statement above.
    static let nonStartingWords: Set<String> = ["as", "is", "in", "else", "catch", "where"]

    static func startsStatement(_ code: [UInt8]) -> Bool {
      guard let first = code.first, isIdentifierStart(first) else { return false }
      return !nonStartingWords.contains(firstWord(code))
    }

    static func endsStatement(_ code: [UInt8]) -> Bool {
      guard let last = code.last else { return true }
      if Array(",([{=+-*/%&|^!~<>?:.\\".utf8).contains(last) { return false }
      return !continuingWords.contains(lastWord(code))
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
      (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
        || byte >= 0x80
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
      isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    static func firstWord(_ code: [UInt8]) -> String {
      String(decoding: code.prefix(while: isIdentifierByte), as: UTF8.self)
    }

    static func lastWord(_ code: [UInt8]) -> String {
      String(decoding: code.reversed().prefix(while: isIdentifierByte).reversed(), as: UTF8.self)
    }

    static func isBlank(_ byte: UInt8) -> Bool {
      byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
      guard let first = bytes.firstIndex(where: { !isBlank($0) }),
        let last = bytes.lastIndex(where: { !isBlank($0) })
      else { return [] }
      return Array(bytes[first...last])
    }

    static func restIsBlank(_ bytes: [UInt8], after index: Int) -> Bool {
      bytes[(index + 1)...].prefix { $0 != UInt8(ascii: "\n") }.allSatisfy(isBlank)
    }
  }
}

extension SpecSourceSplitter.Scan {
  /// The source's bytes with every string literal turned into `"`s and every comment into
  /// spaces, newlines kept; per byte, whether it lies inside a literal or block comment. Nil for
  /// what this lexer does not follow: a `/` that is not a comment (a regex literal could hide
  /// braces), a `#` directive such as `#if`, an unterminated literal.
  static func blankLiterals(_ bytes: [UInt8]) -> (bytes: [UInt8], inLiteral: [Bool])? {
    enum Context {
      /// Code; inside a string's `\(…)`, the parentheses open since it began.
      case code(parentheses: Int)
      case string(hashes: Int, multiline: Bool)
      case blockComment(depth: Int)
    }
    let quote = UInt8(ascii: "\""), hash = UInt8(ascii: "#"), slash = UInt8(ascii: "/")
    let star = UInt8(ascii: "*"), newline = UInt8(ascii: "\n"), backslash = UInt8(ascii: "\\")
    var out = bytes
    var inLiteral = [Bool](repeating: false, count: bytes.count)
    var stack: [Context] = [.code(parentheses: 0)]
    var index = 0
    func at(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
    func hashes(from start: Int) -> Int {
      var count = 0
      while start + count < bytes.count, bytes[start + count] == hash { count += 1 }
      return count
    }
    func blank(_ count: Int, as byte: UInt8) {
      for offset in 0..<count where index + offset < bytes.count {
        if bytes[index + offset] != newline { out[index + offset] = byte }
        inLiteral[index + offset] = true
      }
      index += count
    }
    while index < bytes.count {
      let byte = bytes[index]
      let isTopLevel = stack.count == 1
      switch stack[stack.count - 1] {
      case .code(let parentheses):
        if byte == slash && at(1) == slash {
          while index < bytes.count, bytes[index] != newline { blank(1, as: UInt8(ascii: " ")) }
          if index < bytes.count { inLiteral[index] = !isTopLevel }
          continue
        }
        if byte == slash && at(1) == star {
          stack.append(.blockComment(depth: 1))
          blank(2, as: UInt8(ascii: " "))
          continue
        }
        if byte == slash { return nil }
        let count = byte == hash ? hashes(from: index) : 0
        if byte == hash && index + count < bytes.count && bytes[index + count] != quote {
          // `#filePath`, `#available`, `#warning` are words; `#if` and `#sourceLocation` change
          // what the compiler sees, so they stop the split.
          let word = bytes[(index + 1)...].prefix(while: isIdentifierByte)
          if ["if", "elseif", "else", "endif", "sourceLocation"].contains(
            String(decoding: word, as: UTF8.self))
          {
            return nil
          }
        } else if byte == quote || byte == hash {
          let opening = index + count
          let multiline =
            opening + 2 < bytes.count && bytes[opening + 1] == quote && bytes[opening + 2] == quote
          stack.append(.string(hashes: count, multiline: multiline))
          blank(count + (multiline ? 3 : 1), as: quote)
          continue
        }
        if !isTopLevel {
          if byte == UInt8(ascii: "(") { stack[stack.count - 1] = .code(parentheses: parentheses + 1) }
          if byte == UInt8(ascii: ")") {
            if parentheses == 0 {
              stack.removeLast()
              blank(1, as: quote)
              continue
            }
            stack[stack.count - 1] = .code(parentheses: parentheses - 1)
          }
          blank(1, as: quote)
          continue
        }
        index += 1
      case .string(let count, let multiline):
        if byte == backslash && hashes(from: index + 1) == count {
          if index + count + 1 < bytes.count && bytes[index + count + 1] == UInt8(ascii: "(") {
            stack.append(.code(parentheses: 0))
            blank(count + 2, as: quote)
          } else {
            blank(count + 2, as: quote)
          }
          continue
        }
        if byte == newline && !multiline { return nil }
        let closing = multiline ? (at(1) == quote && at(2) == quote ? 3 : 0) : 1
        if byte == quote && closing > 0 && hashes(from: index + closing) >= count {
          stack.removeLast()
          blank(closing + count, as: quote)
          continue
        }
        blank(1, as: quote)
      case .blockComment(let depth):
        if byte == slash && at(1) == star {
          stack[stack.count - 1] = .blockComment(depth: depth + 1)
          blank(2, as: UInt8(ascii: " "))
        } else if byte == star && at(1) == slash {
          if depth == 1 {
            stack.removeLast()
          } else {
            stack[stack.count - 1] = .blockComment(depth: depth - 1)
          }
          blank(2, as: UInt8(ascii: " "))
        } else {
          blank(1, as: UInt8(ascii: " "))
        }
      }
    }
    return stack.count == 1 ? (out, inLiteral) : nil
  }
}
