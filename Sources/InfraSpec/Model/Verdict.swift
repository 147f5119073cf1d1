/// What a resource's comparison concluded, before the runner adds names and timing.
enum Verdict: Sendable, Equatable {
  case pass
  case fail(expected: String, actual: String)
  case cannotCheck(String)
  case skip(String)
}
