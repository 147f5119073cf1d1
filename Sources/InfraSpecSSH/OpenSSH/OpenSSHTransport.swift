@_spi(Runner) public import InfraSpecCore
public import InfraSpecTransports
internal import InfraSpecDNS
internal import FoundationEssentials
internal import InfraSpecPlatform

#if canImport(Glibc)
  import Glibc
#endif

/// Runs probes through the system `ssh` client, for what libssh2 1.10 cannot do: RSA keys and
/// hosts, certificates, ProxyJump and ProxyCommand.
///
/// One master connection (`ControlMaster`, its socket in a private temporary directory) carries
/// every exec; a `runAll` is one exec of the same batch script the libssh2 transport uses.
public final class OpenSSHTransport: Transport {
  /// The host as the target names it.
  public let hostName: String
  private let destination: String
  private let baseArguments: [String]
  private let environment: [String: String]
  private let controlDirectory: String
  private let sudo: SudoOptions?
  private let connectTimeout: Duration
  private let master: ResultSlot<Int32>

  /// Starts the master connection to `target` with `ssh` (found in `PATH`); `~/.ssh/config`, or
  /// `options.configFile`, is read by `ssh` itself.
  public init(target: String, options: SSHOptions = SSHOptions()) async throws(ProbeError) {
    let parsed = try SSHTarget(target)
    SSHClientProcess.ignoreBrokenPipes()
    var environment = options.environment ?? ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "SSH_ASKPASS")
    self.environment = environment
    hostName = parsed.host
    sudo = options.sudo
    connectTimeout = options.connectTimeout ?? .seconds(10)
    var template = Array((temporaryDirectory() + "/infraspec-ssh-control-XXXXXX").utf8CString)
    guard let directory = mkdtemp(&template) else {
      throw .other("cannot create a private directory for the ssh control socket")
    }
    controlDirectory = String(cString: directory)

    var arguments = [
      "-o", "BatchMode=yes", "-o", "ControlPath=\(controlDirectory)/master", "-o", "ServerAliveInterval=15",
      "-o", "ConnectTimeout=\(max(1, connectTimeout.components.seconds))",
    ]
    if let file = options.configFile {
      arguments += ["-F", FileManager.default.fileExists(atPath: file) ? file : "/dev/null"]
    }
    if let file = options.knownHostsFile {
      arguments += ["-o", "UserKnownHostsFile=\(file)", "-o", "GlobalKnownHostsFile=/dev/null"]
    }
    // The host key policy is ours, never the config's: `StrictHostKeyChecking no` there would
    // let ssh connect to a host whose key changed. `no` only ever means "accept unknown keys".
    let endpoint = try? SSHEndpoint(target: parsed, options: options)
    let acceptNew = options.acceptNewHostKeys || endpoint?.hostKeyPolicy == .acceptNew
    arguments += ["-o", "StrictHostKeyChecking=\(acceptNew ? "accept-new" : "yes")"]
    for identity in options.identityFiles { arguments += ["-i", identity] }
    if let user = parsed.user { arguments += ["-l", user] }
    if let port = parsed.port { arguments += ["-p", String(port)] }
    baseArguments = arguments
    destination = parsed.host

    let master = ResultSlot<Int32>()
    self.master = master
    var errors: [UInt8] = []
    let errorsLock = ThreadLock()
    let name = parsed.description
    let process = try SSHClientProcess.start(
      ["ssh", "-M", "-N", "-o", "ControlMaster=yes", "-o", "ControlPersist=no"] + arguments + [
        "--", destination,
      ],
      environment: environment, input: [], onStdout: { _ in },
      onStderr: { bytes in errorsLock.withLock { errors += bytes } },
      onExit: { master.fill($0) })
    let deadline = ContinuousClock.now + connectTimeout + .seconds(5)
    while !FileManager.default.fileExists(atPath: controlDirectory + "/master") {
      if master.isFilled || ContinuousClock.now > deadline {
        process.kill()
        let status = await withCheckedContinuation { continuation in
          master.onFill { continuation.resume(returning: $0) }
        }
        try? FileManager.default.removeItem(atPath: controlDirectory)
        let detail = errorsLock.withLock { String(decoding: errors, as: UTF8.self) }
          .trimmingWhitespace()
        if let endpoint, let refusal = Self.hostKeyRefusal(detail, endpoint: endpoint) {
          throw .connection(refusal)
        }
        throw .connection(
          "ssh to \(name) failed (exit status \(status)): \(detail.isEmpty ? "timed out" : detail)")
      }
      try? await Task.sleep(for: .milliseconds(10))
    }
  }

  /// ssh's own words for a changed or revoked host key, said the way the libssh2 transport says
  /// them (`KnownHosts` finds the line ssh means).
  static func hostKeyRefusal(_ detail: String, endpoint: SSHEndpoint) -> String? {
    let changed = detail.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
    let revoked = detail.contains("REVOKED HOST KEY")
    guard changed || revoked else { return nil }
    // ssh ends its lines with "\r\n", one Character in Swift: split on whitespace, not on "\n".
    let words = detail.split(whereSeparator: \.isWhitespace)
    let knownHosts = KnownHosts(paths: endpoint.knownHostsFiles)
    let entries = knownHosts.entries(matching: endpoint.knownHostsName)
    let name = endpoint.knownHostsName
    if revoked {
      // "The ED25519 host key for [h]:22 is marked as revoked." names the type, not the key: the
      // offered key is the revoked one, so its entry says which.
      guard
        let the = words.indices.first(where: {
          words[$0] == "The" && $0 + 3 < words.count && words[$0 + 2] == "host" && words[$0 + 3] == "key"
        })
      else { return nil }
      let type = "ssh-" + words[the + 1].lowercased()
      guard
        let entry = entries.first(where: {
          $0.marker == .revoked
            && ($0.keyType == type || $0.keyType.hasPrefix("ecdsa") && type == "ssh-ecdsa")
        })
      else { return nil }
      return KnownHosts.revokedMessage(
        name: name, entry: entry, fingerprint: KnownHosts.fingerprint(entry.key))
    }
    guard
      let fingerprint = words.first(where: { $0.hasPrefix("SHA256:") }).map({
        String($0.trimming(["."]))
      })
    else { return nil }
    // "Offending ED25519 key in /home/ops/.ssh/known_hosts:3"
    guard let offending = words.firstIndex(of: "Offending"), offending + 4 < words.count else { return nil }
    let location = String(words[offending + 4])
    guard
      let entry = entries.first(where: { location.hasSuffix($0.location) || $0.location.hasSuffix(location) })
    else { return nil }
    return KnownHosts.changedMessage(name: name, entry: entry, fingerprint: fingerprint)
  }

  /// Runs `command` in its own exec over the master connection, killed on the host at `timeout`.
  public func run(_ command: ProbeCommand, timeout: Duration) async throws(ProbeError) -> CommandOutput {
    let slot = ResultSlot<Result<CommandOutput, ProbeError>>()
    let process = batch([command], timeout: timeout) { _, result, _ in slot.fill(result) }
    let result = await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in slot.onFill { continuation.resume(returning: $0) } }
    } onCancel: {
      process?.kill()
    }
    return try result.get()
  }

  /// Runs all `commands` in one exec of one script; results arrive as each probe ends.
  public func runAll(_ commands: [ProbeCommand], timeout: Duration)
    -> AsyncStream<(ProbeCommand, Result<CommandOutput, ProbeError>)>
  {
    BatchCollector.stream(commands) { deliver in
      let process = batch(commands, timeout: timeout, deliver: deliver)
      return { process?.kill() }
    }
  }

  /// Stops the master connection and removes its socket directory.
  public func close() async {
    if let process = try? SSHClientProcess.start(
      ["ssh", "-O", "exit"] + baseArguments + ["--", destination], environment: environment, input: [],
      onStdout: { _ in }, onStderr: { _ in }, onExit: { _ in })
    {
      _ = process
    }
    _ = await withCheckedContinuation { continuation in master.onFill { continuation.resume(returning: $0) } }
    try? FileManager.default.removeItem(atPath: controlDirectory)
  }

  /// One `ssh` exec over the master running the batch script; nil when `ssh` could not start
  /// (then every command has already been given the error).
  private func batch(
    _ commands: [ProbeCommand], timeout: Duration,
    deliver: @escaping (Int, Result<CommandOutput, ProbeError>, Bool) -> Void
  ) -> SSHClientProcess? {
    let name = destination
    let collector = BatchCollector(
      commands: commands, timeout: timeout, sudo: sudo, hostName: name, deliver: deliver)
    guard !master.isFilled else {
      collector.finish(.failure(.connection("SSH connection to \(name) is closed")))
      return nil
    }
    let silence = timeout + .seconds(15)
    let processSlot = ResultSlot<SSHClientProcess>()
    var broken: ProbeError?
    let argv =
      ["ssh", "-o", "ControlMaster=no"] + baseArguments + ["--", destination, BatchScript.remoteCommand]
    do {
      // The script's standard input stays open: its end is how the host learns the run is over.
      let received: (Int) -> Void = { records in
        if records > 0 { processSlot.value?.killIfSilent(for: silence) }
        let control = collector.takeControlInput()
        if !control.isEmpty { processSlot.value?.send(control) }
        // A daemon a probe started may hold the channel open; every result is in.
        if collector.isComplete { processSlot.value?.kill() }
      }
      let process = try SSHClientProcess.start(
        argv, environment: environment, input: collector.script, keepInputOpen: true,
        onStdout: { bytes in
          do throws(ProbeError) {
            received(try collector.stdout(bytes))
          } catch {
            broken = broken ?? error
            processSlot.value?.kill()
          }
        },
        onStderr: { bytes in
          do throws(ProbeError) {
            received(try collector.stderr(bytes))
          } catch {
            broken = broken ?? error
            processSlot.value?.kill()
          }
        },
        onExit: { status in
          let detail = collector.scriptErrors
          if let broken {
            collector.finish(.failure(broken))
          } else if status == 255 {
            collector.finish(
              .failure(.connection("ssh to \(name) failed: \(detail.isEmpty ? "exit status 255" : detail)")))
          } else if status == 128 + SIGKILL {
            collector.finish(
              .failure(.connection("\(name) stopped answering: no probe result for \(silence.formatted)")))
          } else {
            collector.finish(.success(status))
          }
        })
      processSlot.fill(process)
      // The batch's watchdog: a probe past its deadline is killed on the host even when silent.
      process.onTick { received(0) }
      process.killIfSilent(for: silence + connectTimeout)
      return process
    } catch {
      collector.finish(.failure(error))
      return nil
    }
  }
}
