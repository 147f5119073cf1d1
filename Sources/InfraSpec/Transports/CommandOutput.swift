/// What a finished command left behind: exit status and both output streams, as raw bytes.
public struct CommandOutput: Sendable, Equatable {
  /// The exit status, or 128 + N when killed by signal N.
  public var exitStatus: Int32
  /// Standard output, as raw bytes.
  public var stdout: [UInt8]
  /// Standard error, as raw bytes.
  public var stderr: [UInt8]

  /// The output of a finished command.
  public init(exitStatus: Int32, stdout: [UInt8], stderr: [UInt8]) {
    self.exitStatus = exitStatus
    self.stdout = stdout
    self.stderr = stderr
  }
}
