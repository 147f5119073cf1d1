import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` with the git commit being built, for `infraspec --version`; the file
/// is rewritten only when the commit changes, so a build without a new commit recompiles nothing.
@main
struct GitCommit: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
    let script = """
      commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
      if [ "$commit" != unknown ] && ! git -C "$1" diff --quiet HEAD -- 2>/dev/null; then commit="$commit-dirty"; fi
      mkdir -p "$2"
      printf 'enum BuildInfo {\\n  static let commit = "%s"\\n}\\n' "$commit" > "$2/.BuildInfo.new"
      if cmp -s "$2/.BuildInfo.new" "$2/BuildInfo.swift"; then rm "$2/.BuildInfo.new"; else mv "$2/.BuildInfo.new" "$2/BuildInfo.swift"; fi
      """
    return [
      .prebuildCommand(
        displayName: "Record the git commit for --version", executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
        outputFilesDirectory: output)
    ]
  }
}
