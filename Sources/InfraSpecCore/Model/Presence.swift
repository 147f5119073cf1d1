/// Whether the probed thing exists on the host and, when it does, its facts.
package enum Presence: Sendable {
  case present(any Sendable)
  /// Does not exist; the text says what is missing, e.g. `no such file`.
  case absent(String)
}
