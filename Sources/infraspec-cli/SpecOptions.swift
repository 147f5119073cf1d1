public import ArgumentParser
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports

/// Which spec files, and which of their checks.
struct SpecOptions: ParsableArguments {
  @Argument(
    help:
      "Spec files or folders (default: Specs/); file:line runs only the checks on that line or in the describe starting there. Specs/Support/ holds shared helpers."
  )
  var paths: [String] = []

  @OptionGroup var tags: TagOptions

  /// The spec files to compile; a path that is not there is reported without the usage text.
  /// `Specs/pop.swift:12` names the file (and selects by line, see `lineSelectors`).
  func specFiles() throws -> SpecFiles { try Self.specFiles(paths.map { Self.split($0)?.path ?? $0 }) }

  /// `path:line` when `text` is not itself a file or folder and its part before `:N` is a file.
  static func split(_ text: String) -> (path: String, line: Int)? {
    guard !FileManager.default.fileExists(atPath: text), let (path, line) = LineSelector.split(text),
      FileManager.default.fileExists(atPath: path)
    else { return nil }
    return (path, line)
  }

  /// The `file:line` arguments, with the file named as check locations name it.
  var lineSelectors: [LineSelector] {
    paths.compactMap(Self.split).map { LineSelector(file: SpecFiles.normalize($0.path), line: $0.line) }
  }

  static func specFiles(_ paths: [String]) throws -> SpecFiles {
    do {
      return try SpecFiles.discover(paths.isEmpty ? ["Specs"] : paths)
    } catch {
      throw Failure.exit(error.message)
    }
  }

  func apply(to options: inout RunOptions) {
    tags.apply(to: &options)
    options.selection.lines = lineSelectors
  }
}

/// Which checks of the specs run: shared by `run`, `list` and binaries made by `infraspec build`.
struct TagOptions: ParsableArguments {
  @Option(name: .customLong("tag"), help: "Only checks with this tag (repeatable).")
  var tags: [String] = []

  @Option(name: .customLong("skip-tag"), help: "Never checks with this tag (repeatable).")
  var skipTags: [String] = []

  func validate() throws {
    for tag in tags + skipTags where tag.isEmpty {
      throw ValidationError("--tag and --skip-tag need a tag name")
    }
  }

  func apply(to options: inout RunOptions) {
    options.tags = tags
    options.skipTags = skipTags
  }
}

extension OutputFormat: ExpressibleByArgument {}
extension HostProfile.Family: ExpressibleByArgument {}
