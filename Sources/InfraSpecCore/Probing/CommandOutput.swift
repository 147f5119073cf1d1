/// What a finished command left behind: exit status and both output streams, as raw bytes.
public struct CommandOutput: Sendable, Equatable {
  public var exitStatus: Int32
  public var stdout: [UInt8]
  public var stderr: [UInt8]

  public init(exitStatus: Int32, stdout: [UInt8], stderr: [UInt8]) {
    self.exitStatus = exitStatus
    self.stdout = stdout
    self.stderr = stderr
  }
}
