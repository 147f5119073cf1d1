#if canImport(Glibc)
  internal import Glibc
#endif

/// The few read-only probe commands this machine can answer without spawning a process: `cat`,
/// `readlink` and InfraSpec's own `stat` format, done with the same system calls and printing
/// exactly what coreutils prints (a test compares both byte for byte). A spawn costs about a
/// millisecond; a spec checking files would otherwise spend most of its time on them.
enum NativeCommands {
  static let statFormat = "%f %a %U %G %s"

  /// The output, or nil when the command is not one of these forms.
  static func answer(_ command: ProbeCommand) -> CommandOutput? {
    guard command.stdin.isEmpty else { return nil }
    switch command.argv {
    case let argv where argv.count == 2 && argv[0] == "cat" && !argv[1].hasPrefix("-"):
      return cat(argv[1])
    case let argv where argv.count == 3 && argv[0] == "cat" && argv[1] == "--":
      return cat(argv[2])
    case let argv where argv.count == 3 && argv[0] == "readlink" && argv[1] == "--":
      return readLink(argv[2])
    case let argv
    where argv.count == 5 && argv[0] == "stat" && argv[1] == "-c" && argv[2] == statFormat && argv[3] == "--":
      return stat(argv[4])
    default:
      return nil
    }
  }

  private static func failure(_ text: String) -> CommandOutput {
    CommandOutput(exitStatus: 1, stdout: [], stderr: Array(text.utf8))
  }

  private static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

  static func cat(_ path: String) -> CommandOutput {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return failure("cat: \(path): \(errorText(errno))\n") }
    defer { close(descriptor) }
    var content: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        return CommandOutput(
          exitStatus: 1, stdout: content, stderr: Array("cat: \(path): \(errorText(errno))\n".utf8))
      }
      if count == 0 { break }
      content += buffer[0..<count]
      if content.count > ChildProcess.outputLimit {
        return failure("cat: \(path): larger than the probe limit\n")
      }
    }
    return CommandOutput(exitStatus: 0, stdout: content, stderr: [])
  }

  static func readLink(_ path: String) -> CommandOutput {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink(path, &buffer, buffer.count - 1)
    // coreutils' readlink prints nothing on failure, without -v.
    guard count >= 0 else { return CommandOutput(exitStatus: 1, stdout: [], stderr: []) }
    return CommandOutput(
      exitStatus: 0, stdout: buffer[0..<count].map { UInt8(bitPattern: $0) } + [0x0A], stderr: [])
  }

  static func stat(_ path: String) -> CommandOutput {
    var info = Glibc.stat()
    guard lstat(path, &info) == 0 else {
      return failure("stat: cannot statx '\(path)': \(errorText(errno))\n")
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
