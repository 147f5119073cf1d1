// Path and text helpers on the standard library alone (what NSString's were used for). The
// core imports nothing else, so the model cannot do I/O: the OS side (threads, locks, the wall
// clock, the environment) is InfraSpecPlatform's.

extension String {
  /// The path without its last component, as `NSString.deletingLastPathComponent` gives it:
  /// `/a/b` → `/a`, `/a` → `/`, `a` → ``, trailing slashes ignored.
  package var parentPath: String {
    var path = Substring(self)
    while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
    guard let slash = path.lastIndex(of: "/") else { return "" }
    if slash == path.startIndex { return "/" }
    var parent = path[..<slash]
    while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
    return String(parent)
  }

  /// The last component of the path, as `NSString.lastPathComponent` gives it: `/a/b/` → `b`.
  package var lastPathPart: String {
    var path = Substring(self)
    while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
    guard let slash = path.lastIndex(of: "/"), path.count > 1 else { return String(path) }
    return String(path[path.index(after: slash)...])
  }
}

extension StringProtocol {
  /// The text without leading and trailing characters in `characters`.
  package func trimming(_ characters: Set<Character>) -> String {
    var view = Substring(self)
    while let first = view.first, characters.contains(first) { view = view.dropFirst() }
    while let last = view.last, characters.contains(last) { view = view.dropLast() }
    return String(view)
  }
}
