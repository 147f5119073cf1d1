public import ArgumentParser
@_spi(Runner) internal import InfraSpec

/// Which spec files, and which of their checks.
struct SpecOptions: ParsableArguments {
  @Argument(help: "Spec files or folders (default: Specs/). Specs/Support/ holds shared helpers.")
  var paths: [String] = []

  @Option(name: .customLong("tag"), help: "Only checks with this tag (repeatable).")
  var tags: [String] = []

  @Option(name: .customLong("skip-tag"), help: "Never checks with this tag (repeatable).")
  var skipTags: [String] = []

  func validate() throws {
    for tag in tags + skipTags where tag.isEmpty {
      throw ValidationError("--tag and --skip-tag need a tag name")
    }
  }

  /// The spec files to compile, or a usage error naming the path that is not there.
  func specFiles() throws -> SpecFiles {
    do {
      return try SpecFiles.discover(paths.isEmpty ? ["Specs"] : paths)
    } catch {
      throw ValidationError(error.message)
    }
  }

  func apply(to options: inout RunOptions) {
    options.tags = tags
    options.skipTags = skipTags
  }
}

extension OutputFormat: ExpressibleByArgument {}
extension HostProfile.Family: ExpressibleByArgument {}
