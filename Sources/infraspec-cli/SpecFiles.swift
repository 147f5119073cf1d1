internal import FoundationEssentials

#if canImport(Glibc)
  internal import Glibc
#endif

/// The spec files of a run and the support files compiled beside each of them.
struct SpecFiles {
  struct Spec {
    /// As given or found, relative to the current directory when under it: what reports show.
    var path: String
    /// `Support/` files of the nearest enclosing folder that has one.
    var support: [String]
  }

  var specs: [Spec]

  struct DiscoveryError: Error {
    var message: String
  }

  /// Files are taken as given; folders are searched for `*.swift`, skipping `Support/` folders.
  static func discover(_ paths: [String]) throws(DiscoveryError) -> SpecFiles {
    let fileManager = FileManager.default
    var found: [String] = []
    for path in paths {
      var status = stat()
      guard stat(path, &status) == 0 else {
        throw DiscoveryError(message: "no such spec file or folder: \(path)")
      }
      if status.st_mode & S_IFMT != S_IFDIR {
        guard path.hasSuffix(".swift") else {
          throw DiscoveryError(message: "not a Swift spec file: \(path)")
        }
        found.append(path)
        continue
      }
      found += swiftFiles(under: path, fileManager).sorted()
    }
    guard !found.isEmpty else {
      throw DiscoveryError(message: "no spec files in \(paths.joined(separator: ", "))")
    }
    var unique: [String] = []
    for path in found.map(normalize) where !unique.contains(path) { unique.append(path) }
    let specs = unique.map { Spec(path: $0, support: supportFiles(for: $0)) }
    for path in specs.flatMap({ [$0.path] + $0.support }) where path.unicodeScalars.contains(where: isControl)
    {
      throw DiscoveryError(
        message: "the spec path \(path.debugDescription) holds a control character (a newline?): "
          + "diagnostics and reports could not name it; rename the file")
    }
    return SpecFiles(specs: specs)
  }

  /// `*.swift` files below `folder`, as `folder/relative/path`, not looking into `Support/` folders
  /// nor following symbolic links to folders (as FileManager's enumerator did).
  private static func swiftFiles(under folder: String, _ fileManager: FileManager) -> [String] {
    var found: [String] = []
    for name in (try? fileManager.contentsOfDirectory(atPath: folder)) ?? [] where name != "Support" {
      let path = join(folder, name)
      var status = stat()
      guard lstat(path, &status) == 0 else { continue }
      if name.hasSuffix(".swift") && name.count > 6 { found.append(path) }
      if status.st_mode & S_IFMT == S_IFDIR { found += swiftFiles(under: path, fileManager) }
    }
    return found
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || scalar.value == 0x7f
  }

  /// The `Support/` folder beside the spec or in the closest parent, up to the current directory.
  private static func supportFiles(for spec: String) -> [String] {
    var folder = URL(fileURLWithPath: spec).deletingLastPathComponent()
    let stop = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).deletingLastPathComponent().path
    while folder.path.count > 1 && folder.path != stop {
      let support = folder.appendingPathComponent("Support")
      if let names = try? FileManager.default.contentsOfDirectory(atPath: support.path) {
        return names.filter { $0.hasSuffix(".swift") }.sorted()
          .map { normalize(support.appendingPathComponent($0).path) }
      }
      folder = folder.deletingLastPathComponent()
    }
    return []
  }

  private static func join(_ folder: String, _ name: String) -> String {
    folder.hasSuffix("/") ? folder + name : folder + "/" + name
  }

  /// Relative to the current directory when inside it, so messages read `Specs/x.swift:3:5`.
  static func normalize(_ path: String) -> String {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    let current = FileManager.default.currentDirectoryPath
    let prefix = current.hasSuffix("/") ? current : current + "/"
    return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
  }
}
