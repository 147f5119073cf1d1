extension String {
  /// The text with `pad` in front up to `width` characters: timestamps, file modes, TAP numbers.
  package func leftPadded(to width: Int, with pad: Character = "0") -> String {
    count >= width ? self : String(repeating: pad, count: width - count) + self
  }
}
