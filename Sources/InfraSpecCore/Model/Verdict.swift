/// What a resource's comparison concluded, before the runner adds names and timing.
package enum Verdict: Sendable, Equatable {
  case pass
  /// A pass that says what was found (the mode, the version installed), for reports that show it.
  case passed(found: String)
  /// A pass that says how much it covered (`41 RRsets at 17 names verified`): part of the verdict.
  case covered(String)
  case fail(expected: String, actual: String)
  case cannotCheck(String)
  case skip(String)
}
