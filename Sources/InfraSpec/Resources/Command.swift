@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A command's exit status and output. The one resource that runs what the spec author wrote:
/// keep it read-only, InfraSpec cannot tell. Written alone, `Command("nginx -t")` checks that it
/// exits 0.
///
///     Command("nginx -t").exitStatus(0).stderr(contains: "syntax is ok")
///     Command(["id", "-u", "deploy"]).stdout("1001")
public struct Command: Resource {
  public var __chain: __ResourceChain

  /// A shell command line, run with `sh -c`.
  public init(_ commandLine: String) {
    self.init(
      argv: ["sh", "-c", commandLine], subject: "command \(TextMatch.show(commandLine))", names: [commandLine]
    )
  }

  /// A program and its arguments, run without a shell.
  public init(_ argv: [String]) {
    self.init(argv: argv, subject: "command \(CommandProbe.shown(argv))", names: argv)
  }

  private init(argv: [String], subject: String, names: [String]) {
    __chain = __ResourceChain(subject: subject, plan: CommandProbe.planner(argv), names: names)
  }

  /// Written alone, `Command("…")` checks that it exits 0.
  public func __whenBare(file: String, line: Int, column: Int) -> Self {
    exitStatus(0, file: file, line: line, column: column)
  }

  /// The command exits with `status`.
  ///
  ///     Command("nginx -t").exitStatus(0)
  ///
  /// Fails with `command "nginx -t": exit status: expected 0, got 1`.
  public func exitStatus(_ status: Int32, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding("exit status", expected: "\(status)", file: file, line: line, column: column) {
      (output: CommandOutput) in expectEqual(status, output.exitStatus)
    }
  }

  /// Standard output equals `text`, ignoring the trailing newline.
  public func stdout(_ text: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    equals(text, in: .stdout, file: file, line: line, column: column)
  }

  /// Standard output contains `text` somewhere.
  ///
  ///     Command("uname -a").stdout(contains: "Linux")
  ///
  /// Fails with `command "uname -a": stdout: expected to contain "Linux", got` what it printed.
  public func stdout(
    contains text: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    contains(text, in: .stdout, file: file, line: line, column: column)
  }

  /// Some line of standard output matches the regular expression.
  public func stdout(
    matches pattern: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    matches(pattern, in: .stdout, file: file, line: line, column: column)
  }

  /// Standard error equals `text`, ignoring the trailing newline.
  public func stderr(_ text: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    equals(text, in: .stderr, file: file, line: line, column: column)
  }

  /// Standard error contains `text` somewhere.
  ///
  ///     Command("nginx -t").stderr(contains: "syntax is ok")
  public func stderr(
    contains text: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    contains(text, in: .stderr, file: file, line: line, column: column)
  }

  /// Some line of standard error matches the regular expression.
  public func stderr(
    matches pattern: String, file: String = #filePath, line: Int = #line, column: Int = #column
  )
    -> Self
  {
    matches(pattern, in: .stderr, file: file, line: line, column: column)
  }

  private enum Stream: String {
    case stdout, stderr

    func text(of output: CommandOutput) -> String {
      self == .stdout ? output.stdoutText : output.stderrText
    }
  }

  private func equals(_ text: String, in stream: Stream, file: String, line: Int, column: Int) -> Self {
    adding(stream.rawValue, expected: TextMatch.show(text), file: file, line: line, column: column) {
      (output: CommandOutput) in TextMatch.equals(text, stream.text(of: output))
    }
  }

  private func contains(_ text: String, in stream: Stream, file: String, line: Int, column: Int) -> Self {
    adding(
      stream.rawValue, expected: "to contain \(TextMatch.show(text))",
      title: "\(stream.rawValue) contains \(TextMatch.show(text))", file: file, line: line, column: column
    ) { (output: CommandOutput) in TextMatch.contains(text, in: stream.text(of: output)) }
  }

  private func matches(_ pattern: String, in stream: Stream, file: String, line: Int, column: Int) -> Self {
    adding(
      stream.rawValue, expected: "to match /\(pattern)/", title: "\(stream.rawValue) matches /\(pattern)/",
      file: file, line: line, column: column
    ) { (output: CommandOutput) in TextMatch.matches(pattern, in: stream.text(of: output)) }
  }
}
