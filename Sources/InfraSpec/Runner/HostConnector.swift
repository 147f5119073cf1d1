@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
internal import FoundationEssentials
internal import Glibc

/// Opens the transport for each host of a run: this machine, or SSH through libssh2 or OpenSSH.
enum HostConnector {
  static func targets(for request: RunRequest) -> [HostTarget] {
    let concurrency = request.options.probeConcurrency
    guard !request.hosts.isEmpty else {
      return [
        HostTarget(name: "localhost", groups: ["all", "localhost"]) {
          .success(LocalTransport(concurrency: concurrency))
        }
      ]
    }
    let options = sshOptions(request.remote)
    let client = request.remote.client
    return request.hosts.map { host in
      var options = options
      if let key = host.identityFile { options.identityFiles.insert(key, at: 0) }
      return HostTarget(name: host.name, groups: Set(host.groups)) { [options] in
        do throws(ProbeError) {
          switch client {
          case .libssh2:
            let transport = try await SSHTransport(target: host.destination, options: options)
            for warning in transport.warnings {
              OutputStream.standardError.write("infraspec: \(host.name): \(warning)\n")
            }
            return .success(transport)
          case .openssh:
            return .success(try await OpenSSHTransport(target: host.destination, options: options))
          }
        } catch {
          return .failure(error)
        }
      }
    }
  }

  static func sshOptions(_ remote: RemoteOptions) -> SSHOptions {
    var options = SSHOptions()
    options.configFile = remote.configFile
    options.knownHostsFile = remote.knownHostsFile
    options.identityFiles = remote.identityFiles
    options.acceptNewHostKeys = remote.acceptNewHostKeys
    options.connectTimeout = remote.connectTimeoutSeconds.map { .milliseconds(Int64($0 * 1000)) }
    if remote.sudo {
      options.sudo = SudoOptions(user: remote.sudoUser, environment: ProcessInfo.processInfo.environment)
    }
    return options
  }
}
