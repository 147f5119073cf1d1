import Foundation
@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

#if canImport(Glibc)
  import Glibc
#endif

/// A real `sshd` on a free loopback port with its own host keys, client keys, authorized_keys and
/// known_hosts, all in a private temporary directory; nothing of the system's SSH setup is used.
final class SSHServerFixture: @unchecked Sendable {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  struct Configuration {
    var maxSessions = 10
    /// Host key types the server offers.
    var hostKeyTypes = ["ed25519", "ecdsa"]
    /// When set, root may log in with this password (the server sees a private copy of /etc/shadow).
    var rootPassword: String?
    /// Sessions get `TMPDIR` set to the fixture's own `tmp`, so a test can see what they leave.
    var privateTemporaryDirectory = false
    /// Lines appended to sshd_config, e.g. `AllowTcpForwarding no`.
    var extraConfig = ""
    /// sshd logs at INFO to `logFile` (one `Accepted publickey` line per connection).
    var logsConnections = false
    /// With `logsConnections`: VERBOSE adds a `Starting session` line per exec channel.
    var logLevel = "INFO"
  }

  static let passphrase = "correct horse battery staple"

  let directory: String
  let port: UInt16
  private let pid: pid_t
  private var stopped = false

  /// The client's private keys by type: "ed25519" (plain), "ecdsa" (encrypted with `passphrase`), "rsa".
  func clientKey(_ type: String) -> String { directory + "/id_\(type)" }
  var knownHostsFile: String { directory + "/known_hosts" }
  /// With `logsConnections`: sshd's log.
  var logFile: String { directory + "/sshd.log" }
  var target: String { "root@127.0.0.1:\(port)" }
  var knownHostsName: String { "[127.0.0.1]:\(port)" }

  private init(directory: String, port: UInt16, pid: pid_t) {
    self.directory = directory
    self.port = port
    self.pid = pid
  }

  static func start(_ configuration: Configuration = Configuration()) async throws -> SSHServerFixture {
    let sshd = "/usr/sbin/sshd"
    guard FileManager.default.isExecutableFile(atPath: sshd) else {
      throw Failure(description: "sshd is missing: apt-get install openssh-server")
    }
    let directory = try makeTemporaryDirectory()
    try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
    for type in configuration.hostKeyTypes {
      try run(
        "/usr/bin/ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "host", "-f", directory + "/host_\(type)"])
    }
    try run(
      "/usr/bin/ssh-keygen",
      ["-q", "-t", "ed25519", "-N", "", "-C", "client-ed25519", "-f", directory + "/id_ed25519"])
    try run(
      "/usr/bin/ssh-keygen",
      ["-q", "-t", "ecdsa", "-N", passphrase, "-C", "client-ecdsa", "-f", directory + "/id_ecdsa"])
    try run(
      "/usr/bin/ssh-keygen",
      ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "client-rsa", "-f", directory + "/id_rsa"])
    try run(
      "/usr/bin/ssh-keygen",
      ["-q", "-t", "ed25519", "-N", "", "-C", "agent", "-f", directory + "/agent_ed25519"])
    var authorized = ""
    for name in ["id_ed25519", "id_ecdsa", "id_rsa", "agent_ed25519"] {
      authorized += try String(contentsOfFile: directory + "/\(name).pub", encoding: .utf8)
    }
    try authorized.write(toFile: directory + "/authorized_keys", atomically: true, encoding: .utf8)

    if configuration.privateTemporaryDirectory {
      try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
    }
    let port = try freePort()
    var config =
      (configuration.logsConnections ? "LogLevel \(configuration.logLevel)\n" : "")
      + configuration.extraConfig + "\n" + """
        Port \(port)
        ListenAddress 127.0.0.1
        PidFile \(directory)/sshd.pid
        AuthorizedKeysFile \(directory)/authorized_keys
        StrictModes no
        PermitRootLogin yes
        UsePAM no
        KbdInteractiveAuthentication no
        PasswordAuthentication \(configuration.rootPassword == nil ? "no" : "yes")
        MaxSessions \(configuration.maxSessions)
        AllowTcpForwarding yes
        LogLevel ERROR
        # Bash skips ~/.bashrc for ssh commands when SHLVL is set: tests must not depend on (or
        # break) the rc files of this machine's root account.
        SetEnv SHLVL=1\(configuration.privateTemporaryDirectory ? " TMPDIR=\(directory)/tmp" : "")

        """
    for type in configuration.hostKeyTypes { config += "HostKey \(directory)/host_\(type)\n" }
    try config.write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)

    var known = ""
    for type in configuration.hostKeyTypes {
      let fields = try String(contentsOfFile: directory + "/host_\(type).pub", encoding: .utf8).split(
        separator: " ")
      known += "[127.0.0.1]:\(port) \(fields[0]) \(fields[1])\n"
    }
    try known.write(toFile: directory + "/known_hosts", atomically: true, encoding: .utf8)

    let pid: pid_t
    if let password = configuration.rootPassword {
      // sshd reads /etc/shadow; give it a private copy in its own mount namespace instead of
      // changing the machine's root password.
      let hash = try output("/usr/bin/openssl", ["passwd", "-6", "-salt", "infraspec", password])
        .trimmingCharacters(in: .whitespacesAndNewlines)
      let shadow = try String(contentsOfFile: "/etc/shadow", encoding: .utf8).split(separator: "\n").map {
        line in
        line.hasPrefix("root:")
          ? "root:\(hash):"
            + line.split(separator: ":", omittingEmptySubsequences: false).dropFirst(2).joined(separator: ":")
          : String(line)
      }
      try (shadow.joined(separator: "\n") + "\n").write(
        toFile: directory + "/shadow", atomically: true, encoding: .utf8)
      pid = try spawn(
        "/usr/bin/unshare",
        [
          "--mount", "--propagation", "private", "/bin/sh", "-c",
          "mount --bind \"$1/shadow\" /etc/shadow && exec \(sshd) -D -e -f \"$1/sshd_config\"", "_",
          directory,
        ])
    } else {
      let log = configuration.logsConnections ? ["-E", directory + "/sshd.log"] : ["-e"]
      pid = try spawn(sshd, ["-D"] + log + ["-f", directory + "/sshd_config"])
    }
    let fixture = SSHServerFixture(directory: directory, port: port, pid: pid)
    for _ in 0..<100 {
      if canConnect(port: port) { return fixture }
      if kill(pid, 0) != 0 { break }
      try await Task.sleep(for: .milliseconds(50))
    }
    fixture.stop()
    throw Failure(description: "sshd did not start listening on 127.0.0.1:\(port)")
  }

  /// Options that use only this fixture's files: its known_hosts, no ssh_config, no agent.
  func options(identity: String? = "ed25519", environment extra: [String: String] = [:]) -> SSHOptions {
    var options = SSHOptions()
    options.configFile = directory + "/no_ssh_config"
    options.knownHostsFile = knownHostsFile
    options.identityFiles = identity.map { [clientKey($0)] } ?? []
    options.connectTimeout = .seconds(5)
    options.environment = ["HOME": directory + "/home", "USER": "root"].merging(extra) { $1 }
    return options
  }

  func hostKey(_ type: String) throws -> (type: String, blob: [UInt8]) {
    let fields = try String(contentsOfFile: directory + "/host_\(type).pub", encoding: .utf8).split(
      separator: " ")
    return (String(fields[0]), Array(Data(base64Encoded: String(fields[1]))!))
  }

  /// Kills every process sshd forked for a connection, as a crash or reboot of the host would.
  func killSessions() {
    for child in Self.descendants(of: pid) { kill(child, SIGKILL) }
  }

  /// Kills only sshd's own per-connection processes, as a dropped connection would end them:
  /// what the sessions started is left to notice on its own.
  func dropConnections() {
    for child in Self.descendants(of: pid) {
      guard let data = FileManager.default.contents(atPath: "/proc/\(child)/cmdline"),
        String(decoding: data, as: UTF8.self).hasPrefix("sshd:")
      else { continue }
      kill(child, SIGKILL)
    }
  }

  /// Every process the server's connections started (sshd's own included).
  var sessionProcesses: [Int32] { Self.descendants(of: pid) }

  func stop() {
    guard !stopped else { return }
    stopped = true
    killSessions()
    kill(pid, SIGTERM)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    try? FileManager.default.removeItem(atPath: directory)
  }

  // MARK: - Helpers

  static func descendants(of parent: Int32) -> [Int32] {
    var children: [Int32: [Int32]] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
      guard let pid = Int32(entry),
        let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
      if fields.count > 1, let ppid = Int32(fields[1]) { children[ppid, default: []].append(pid) }
    }
    var result: [Int32] = []
    var queue = [parent]
    while let next = queue.popLast() {
      for child in children[next] ?? [] {
        result.append(child)
        queue.append(child)
      }
    }
    return result
  }

  /// A process's command line, arguments joined by spaces.
  ///
  /// Read with open/read, not Foundation: `FileManager.contents(atPath:)` on /proc files kept
  /// about 2 MiB per scan of every process, which the soak then counted as its own growth.
  static func commandLine(_ pid: Int32) -> String {
    let descriptor = open("/proc/\(pid)/cmdline", O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return "" }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while case let count = read(descriptor, &buffer, buffer.count), count > 0 { bytes += buffer[0..<count] }
    return String(decoding: bytes.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
  }

  /// Processes on this machine whose command line contains `marker`.
  static func processes(containing marker: String) -> [Int32] {
    guard let directory = opendir("/proc") else { return [] }
    defer { closedir(directory) }
    var found: [Int32] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) {
        String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard let pid = Int32(name), pid != getpid() else { continue }
      if commandLine(pid).contains(marker) { found.append(pid) }
    }
    return found
  }

  static func makeTemporaryDirectory() throws -> String {
    var template = Array((NSTemporaryDirectory() + "/infraspec-ssh-XXXXXX").utf8CString)
    guard let pointer = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed") }
    return String(cString: pointer)
  }

  /// Starts `executable` with stdin and stdout on /dev/null (or stdout into `output`).
  static func spawn(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: String? = nil
  ) throws -> pid_t {
    do {
      return try Subprocess.spawn(
        [executable] + arguments, environment: environment.map(Subprocess.environment),
        stdout: output.map { .file($0) } ?? .null
      ).pid
    } catch {
      throw Failure(description: "cannot start \(executable): \(error.message)")
    }
  }

  @discardableResult
  static func run(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: String? = nil
  ) throws -> Int32 {
    let pid = try spawn(executable, arguments, environment: environment, output: output)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    guard status == 0 else {
      throw Failure(
        description: "\(executable) \(arguments.joined(separator: " ")) failed (wait status \(status))")
    }
    return status
  }

  static func output(_ executable: String, _ arguments: [String]) throws -> String {
    let file = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: file) }
    try run(executable, arguments, output: file + "/out")
    return try String(contentsOfFile: file + "/out", encoding: .utf8)
  }

  /// A loopback port nothing listens on right now.
  static func freePort() throws -> UInt16 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
      }
    }
    guard bound else { throw Failure(description: "cannot bind a loopback port") }
    return UInt16(bigEndian: address.sin_port)
  }

  /// A listening socket that accepts connections (in the kernel backlog) and never says a word.
  static func silentListener() throws -> (descriptor: Int32, port: UInt16) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ready = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, length) == 0 && listen(descriptor, 8) == 0
          && getsockname(descriptor, $0, &length) == 0
      }
    }
    guard ready else { throw Failure(description: "cannot listen on loopback") }
    return (descriptor, UInt16(bigEndian: address.sin_port))
  }

  static func canConnect(port: UInt16) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }
}
