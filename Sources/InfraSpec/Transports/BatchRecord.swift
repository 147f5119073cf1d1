/// One probe's result as the batch script reported it.
struct BatchRecord: Equatable {
  var index: Int
  var exitStatus: Int32
  var timedOut: Bool
  var stdout: [UInt8]
  var stderr: [UInt8]
}
