@_spi(Runner) internal import InfraSpecCore

/// Runs every probe through `sudo` on the host, never waiting at a password prompt.
public struct SudoOptions: Sendable, Hashable {
  /// The user to run probes as (`sudo -u`); `nil` means root.
  public var user: String?
  /// Fed to `sudo -S` on standard input; never printed.
  var password: String?

  /// Probes run as `user` (root when `nil`); the password, if sudo needs one, comes from
  /// `INFRASPEC_SUDO_PASSWORD` in `environment`.
  public init(user: String? = nil, environment: [String: String]) {
    self.user = user
    self.password = environment["INFRASPEC_SUDO_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
  }

  /// The argv and standard input that run `command` through sudo.
  ///
  /// Without a password `-n` makes sudo fail at once instead of prompting. With one, a first
  /// `sudo -S -v` reads it from the first line of standard input (a file, so a wrong password
  /// ends in an error, not a hang) and the command itself runs with `-n`: the password never
  /// reaches the probe's standard input, nor any process's arguments.
  func wrap(_ command: ProbeCommand) -> (argv: [String], stdin: [UInt8]) {
    var sudo = ["sudo", "-n"]
    if let user { sudo += ["-u", user] }
    sudo += ["--"]
    guard let password else { return (sudo + command.argv, command.stdin) }
    let script = "IFS= read -r p; printf '%s\\n' \"$p\" | sudo -S -p '' -v && exec \"$@\""
    return (["sh", "-c", script, "sh"] + sudo + command.argv, Array((password + "\n").utf8) + command.stdin)
  }

  /// Says why sudo itself refused, or `nil` when the output is the probe's own.
  func failure(exitStatus: Int32, stderr: String) -> String? {
    if exitStatus == 127 && stderr.hasPrefix("sudo: not found") {
      return "sudo is not installed on the host: install it or run without --sudo"
    }
    guard exitStatus == 1, stderr.hasPrefix("sudo: ") else { return nil }
    if stderr.contains("a password is required") {
      return "sudo asked for a password: set INFRASPEC_SUDO_PASSWORD or allow NOPASSWD for this user"
    }
    if stderr.contains("incorrect password") {
      return "sudo rejected the password from INFRASPEC_SUDO_PASSWORD"
    }
    if stderr.contains("is not in the sudoers file") || stderr.contains("is not allowed to execute") {
      return "sudo refused: \(stderr.split(separator: "\n").first.map(String.init) ?? "")"
    }
    return nil
  }
}
