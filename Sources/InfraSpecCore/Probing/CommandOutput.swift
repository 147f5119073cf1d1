/// What a finished command left behind: exit status and both output streams, as raw bytes.
public struct CommandOutput: Sendable, Equatable {
  /// The exit status, or 128 + N when killed by signal N.
  public var exitStatus: Int32
  /// Standard output, as raw bytes.
  public var stdout: [UInt8]
  /// Standard error, as raw bytes.
  public var stderr: [UInt8]
  /// How long the command itself ran, when the transport measured it (on the host's side of a
  /// batch, between its begin and end markers); shared by every subject of a fused probe.
  /// Not part of equality: two runs of a command print the same in different times.
  public var duration: Duration?

  /// An output as a command left it; `duration` when the transport measured its run.
  public init(exitStatus: Int32, stdout: [UInt8], stderr: [UInt8], duration: Duration? = nil) {
    self.exitStatus = exitStatus
    self.stdout = stdout
    self.stderr = stderr
    self.duration = duration
  }

  /// Same exit status and bytes; the time it took does not count.
  public static func == (left: CommandOutput, right: CommandOutput) -> Bool {
    left.exitStatus == right.exitStatus && left.stdout == right.stdout && left.stderr == right.stderr
  }
}
