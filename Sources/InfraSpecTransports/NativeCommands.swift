@_spi(Runner) internal import InfraSpecCore
#if canImport(Glibc)
  internal import Glibc
#endif

/// The few read-only probe commands this machine can answer without spawning a process: `cat`,
/// `readlink` and InfraSpec's stat script, done with the same system calls and printing exactly
/// what the real commands print (a test compares both byte for byte). A spawn costs about a
/// millisecond; a spec checking files would otherwise spend most of its time on them.
///
/// None of them may block: `cat` opens without waiting (a FIFO would wait for a writer forever)
/// and reads regular files only, under the probe's deadline.
package enum NativeCommands {
  package static let statFormat = "%f %a %U %G %s"

  /// Prints `stat`'s line for `$1` (exit 0), or exits 3 when the path does not exist and 4 when
  /// a directory on the way cannot be searched: decided from which directories `cd` can enter,
  /// never from a message (which quotes the path). Used by `FileProbe`; answered here natively.
  package static let statScript =
    "stat -c '\(statFormat)' -- \"$1\" 2>/dev/null; case $? in 0) exit 0;; 127) exit 127;; esac; p=$1; "
    + "while :; do case $p in */*) d=${p%/*}; d=${d:-/};; *) d=.;; esac; "
    + "if (cd -P -- \"$d\") 2>/dev/null; then exit 3; fi; if [ -d \"$d\" ]; then exit 4; fi; "
    + "if [ -e \"$d\" ] || [ -L \"$d\" ]; then exit 3; fi; if [ \"$d\" = \"$p\" ]; then exit 4; fi; p=$d; done"

  /// The output (or the deadline passing), or nil when the command is not one of these forms.
  static func answer(_ command: ProbeCommand, timeout: Duration = .seconds(10))
    -> Result<CommandOutput, ProbeError>?
  {
    guard command.stdin.isEmpty else { return nil }
    let deadline = ContinuousClock.now + timeout
    switch command.argv {
    case let argv where argv.count == 2 && argv[0] == "cat" && !argv[1].hasPrefix("-"):
      return cat(argv[1], deadline: deadline).mapError { _ in .timedOut(command: "\(command)", after: timeout)
      }
    case let argv where argv.count == 3 && argv[0] == "cat" && argv[1] == "--":
      return cat(argv[2], deadline: deadline).mapError { _ in .timedOut(command: "\(command)", after: timeout)
      }
    case let argv where argv.count == 3 && argv[0] == "readlink" && argv[1] == "--":
      return .success(readLink(argv[2]))
    case let argv where argv.count == 5 && argv[0] == "sh" && argv[1] == "-c" && argv[2] == statScript:
      return .success(stat(argv[4]))
    default:
      return nil
    }
  }

  struct DeadlinePassed: Error {}

  private static func failure(_ text: String) -> CommandOutput {
    CommandOutput(exitStatus: 1, stdout: [], stderr: Array(text.utf8))
  }

  private static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

  /// Reads a regular file; anything else (FIFO, device, socket) is refused at once, since reading
  /// it could block or never end. Opened with O_NONBLOCK so the open itself cannot wait.
  static func cat(_ path: String, deadline: ContinuousClock.Instant) -> Result<CommandOutput, DeadlinePassed>
  {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard descriptor >= 0 else { return .success(failure("cat: \(path): \(errorText(errno))\n")) }
    defer { close(descriptor) }
    var info = Glibc.stat()
    guard fstat(descriptor, &info) == 0 else {
      return .success(failure("cat: \(path): \(errorText(errno))\n"))
    }
    switch info.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: return .success(failure("cat: \(path): Is a directory\n"))
    default:
      return .success(
        failure(
          "cat: \(path): not a regular file (a FIFO, device or socket); InfraSpec reads only regular files\n")
      )
    }
    var content: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      if ContinuousClock.now > deadline { return .failure(DeadlinePassed()) }
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        return .success(
          CommandOutput(
            exitStatus: 1, stdout: content, stderr: Array("cat: \(path): \(errorText(errno))\n".utf8)))
      }
      if count == 0 { break }
      content += buffer[0..<count]
      if content.count > ChildProcess.outputLimit {
        return .success(failure("cat: \(path): larger than the probe limit\n"))
      }
    }
    return .success(CommandOutput(exitStatus: 0, stdout: content, stderr: []))
  }

  static func readLink(_ path: String) -> CommandOutput {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink(path, &buffer, buffer.count - 1)
    // coreutils' readlink prints nothing on failure, without -v.
    guard count >= 0 else { return CommandOutput(exitStatus: 1, stdout: [], stderr: []) }
    return CommandOutput(
      exitStatus: 0, stdout: buffer[0..<count].map { UInt8(bitPattern: $0) } + [0x0A], stderr: [])
  }

  /// What `statScript` prints and exits with, from lstat's errno.
  static func stat(_ path: String) -> CommandOutput {
    var info = Glibc.stat()
    guard lstat(path, &info) == 0 else {
      switch errno {
      case ENOENT, ENOTDIR: return CommandOutput(exitStatus: 3, stdout: [], stderr: [])
      case EACCES: return CommandOutput(exitStatus: 4, stdout: [], stderr: [])
      case let code: return failure("stat: \(path): \(errorText(code))\n")
      }
    }
    let mode = UInt32(info.st_mode)
    let line =
      "\(String(mode, radix: 16)) \(String(mode & 0o7777, radix: 8)) \(userName(info.st_uid)) "
      + "\(groupName(info.st_gid)) \(info.st_size)\n"
    return CommandOutput(exitStatus: 0, stdout: Array(line.utf8), stderr: [])
  }

  private static func userName(_ uid: uid_t) -> String {
    var entry = passwd()
    var result: UnsafeMutablePointer<passwd>?
    var buffer = [CChar](repeating: 0, count: 16384)
    guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil,
      let name = entry.pw_name
    else {
      return "UNKNOWN"
    }
    return String(cString: name)
  }

  private static func groupName(_ gid: gid_t) -> String {
    var entry = group()
    var result: UnsafeMutablePointer<group>?
    var buffer = [CChar](repeating: 0, count: 16384)
    guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, result != nil,
      let name = entry.gr_name
    else {
      return "UNKNOWN"
    }
    return String(cString: name)
  }
}
