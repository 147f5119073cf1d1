internal import ArgumentParser
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports

/// The command of a binary made by `infraspec build`: the flags of `infraspec run`, with the
/// specs built in instead of named.
struct ChecksCommand: AsyncParsableCommand {
  /// The spec files built in; set by the binary's generated `main.swift` before parsing.
  nonisolated(unsafe) static var builtIn: [String]?

  static var configuration: CommandConfiguration {
    CommandConfiguration(
      commandName: URL(fileURLWithPath: CommandLine.arguments.first ?? "checks").lastPathComponent,
      abstract: "Check this machine, or hosts over SSH, against the spec files built into this program.",
      discussion: "Built in by `infraspec build` (\(Version.text)):\n"
        + (builtIn ?? []).map { "  \($0)\n" }.joined() + "\n" + InfraSpecCommand.exitCodes,
      version: Version.text)
  }

  @Argument(help: "file:line: only the checks made on that line, or in the describe that starts there.")
  var lines: [String] = []

  @OptionGroup var tags: TagOptions
  @OptionGroup var flags: RunFlags

  // Not `WatchOptions`: a built binary cannot recompile its specs, and its help must say so.
  @Flag(
    help:
      "Run the built-in checks again every --every, on the same connections, redrawn in place on a terminal; Ctrl-C stops (130). The specs are built in: an edited spec needs `infraspec build` again."
  )
  var watch = false

  @Option(help: "With --watch: how long to wait between rounds: 5s (default), 500ms, 2m.")
  var every: WatchInterval?

  @Flag(help: "Show every check and the commands it would run (for --os); run nothing.")
  var list = false

  @Option(help: "OS family whose commands --list shows: debian, rhel, alpine.")
  var os: HostProfile.Family = .debian

  func validate() throws {
    if every != nil && !watch { throw ValidationError("--every needs --watch") }
    if watch && list { throw ValidationError("--watch runs the checks; --list runs nothing") }
  }

  func run() async throws {
    var request = try flags.request()
    request.mode = list ? .list : .run
    if watch {
      request.watch = WatchRequest(
        everySeconds: every?.seconds ?? 5, redraw: OutputStream.standardOutput.isTerminal, specsBuiltIn: true)
    }
    request.listFamily = os
    tags.apply(to: &request.options)
    for text in lines {
      guard let (path, line) = LineSelector.split(text) else {
        throw ValidationError("\(text) is not file:line (the specs are built in)")
      }
      request.options.selection.lines.append(LineSelector(file: path, line: line))
    }
    if !list {
      // Built-in specs have no folder here: their paths as built name the memory.
      try flags.select.remember(specFolders: (Self.builtIn ?? []).map { "built:" + $0 }, in: &request)
    }
    let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
    await SpecMain.main(arguments: [CommandLine.arguments.first ?? "checks", json])
  }
}

/// Called by the `main.swift` of a built binary with its spec paths, one a line, before it
/// hands over to `infraspec_main`.
@_silgen_name("infraspec_built_in_specs")
public func builtInSpecs(_ paths: UnsafePointer<CChar>) {
  ChecksCommand.builtIn = String(cString: paths).split(separator: "\n").map(String.init)
}
