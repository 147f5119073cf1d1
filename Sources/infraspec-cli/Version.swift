/// What `--version` prints, in `infraspec` and in every binary `infraspec build` makes.
enum Version {
  /// The release; CHANGELOG.md says what changed in it.
  static let number = "0.1.0"

  static var text: String { "\(number) (commit \(BuildInfo.commit))" }
}
