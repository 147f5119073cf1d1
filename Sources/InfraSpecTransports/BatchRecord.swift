@_spi(Runner) internal import InfraSpecCore

/// One probe's result as the batch script reported it.
struct BatchRecord: Equatable {
  var index: Int
  var exitStatus: Int32
  var state: BatchScript.State
  var stdout: [UInt8]
  var stderr: [UInt8]
  /// The probe printed more than `ChildProcess.outputLimit` on a stream; the rest was dropped.
  var tooLarge = false
}
