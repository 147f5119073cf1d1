internal import FoundationEssentials

/// Where the files `infraspec` needs beside itself are: in a `swift build` tree everything is in
/// the binary's folder; after `make install` they are in `<prefix>/lib/infraspec`.
struct InstallLayout {
  /// The folder of the running `infraspec` binary.
  let binDirectory: String

  static let current: InstallLayout = {
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    return InstallLayout(binDirectory: URL(fileURLWithPath: executable).deletingLastPathComponent().path)
  }()

  /// The installed layout's library folder, `<prefix>/lib/infraspec`.
  var installedLibraryDirectory: String {
    URL(fileURLWithPath: binDirectory).deletingLastPathComponent().appendingPathComponent("lib/infraspec")
      .path
  }

  /// The folder holding `libInfraSpec.so` and `Modules/InfraSpec.swiftmodule`, if there is one.
  func libraryDirectory(environment: [String: String]) -> String? {
    if let folder = environment["INFRASPEC_LIBRARY_DIR"], !folder.isEmpty { return folder }
    return [binDirectory, installedLibraryDirectory].first {
      FileManager.default.fileExists(atPath: $0 + "/Modules/InfraSpec.swiftmodule")
    }
  }

  /// The objects of `infraspec` itself (CLI, InfraSpec and their dependencies) that
  /// `infraspec build` links into a self-contained binary: one relocatable object when
  /// installed, or the list SwiftPM linked `infraspec` from.
  func linkObjects(libraryDirectory: String) -> [String]? {
    let installed = libraryDirectory + "/infraspec-objects.o"
    if FileManager.default.fileExists(atPath: installed) { return [installed] }
    let list = binDirectory + "/infraspec.product/Objects.LinkFileList"
    guard let text = try? String(contentsOfFile: list, encoding: .utf8) else { return nil }
    return text.split(separator: "\n").map { line in
      // SwiftPM quotes paths with spaces.
      line.hasPrefix("'") && line.hasSuffix("'") ? String(line.dropFirst().dropLast()) : String(line)
    }
  }
}
