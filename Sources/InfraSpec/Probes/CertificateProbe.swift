@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
#if canImport(Glibc)
  internal import Glibc
#endif

/// PEM files read on the host (certificates, CA bundles, private keys), parsed here by OpenSSL.
enum CertificateProbe {
  /// A served chain and the trust anchors to verify it against.
  struct ChainAndAnchors: Sendable {
    var chain: [X509Certificate]
    var anchors: [X509Certificate]
    var checkedAt: Int64
  }

  /// A PEM file's certificates in file order, read when the check ran.
  struct FileFacts: Sendable {
    var path: String
    var certificates: [X509Certificate]
    var checkedAt: Int64
    /// The private key file's bytes, when an assertion asked for it.
    var key: [UInt8]?
  }

  static func read(_ path: String) -> ProbeCommand { ProbeCommand(["cat", "--", path]) }

  /// Where the family keeps its CA bundle.
  static func systemBundle(_ family: HostProfile.Family) -> String {
    family == .rhel ? "/etc/pki/tls/certs/ca-bundle.crt" : "/etc/ssl/certs/ca-certificates.crt"
  }

  /// The CAs OpenSSL on the host trusts by default: `SSL_CERT_FILE` (else the family's bundle)
  /// and the `HASH.N` certificates of each `SSL_CERT_DIR` folder when that is set, as `curl` or `wget`
  /// there would. The default folder is not read: on Debian and RHEL it holds the bundle's CAs.
  static func defaultTrust(_ family: HostProfile.Family) -> ProbeCommand {
    ProbeCommand([
      "sh", "-c",
      // OpenSSL reads a folder's HASH.N files only; one cat per folder.
      #"cat -- "${SSL_CERT_FILE:-$1}" || exit; [ -n "${SSL_CERT_DIR:-}" ] || exit 0; IFS=:; "#
        + #"for d in $SSL_CERT_DIR; do set -- "$d"/????????.[0-9]*; [ -e "$1" ] || continue; "#
        + #"cat -- "$@" || exit; done"#,
      "sh", systemBundle(family),
    ])
  }

  /// The handshake's chain and the CAs of `caFile` (nil: what the host's OpenSSL trusts by default).
  static func chainAndAnchors(_ endpoint: TLSEndpoint, caFile: String?) -> FactPlanner {
    { profile throws(ProbeError) in
      let query = TLSProbe.handshakeQuery(endpoint, alpn: [])
      let path = caFile ?? "the default trust store"
      let command = caFile.map(read) ?? defaultTrust(profile.family)
      return FactPlan(commands: [command], queries: [query]) { outputs throws(ProbeError) in
        guard let facts = try outputs.answer(query) as? TLSFacts else {
          throw .other("internal: no handshake")
        }
        // An empty default store is a finding (the host trusts no CA), not a file mistake.
        let anchors = try certificates(
          in: outputs.output(command), path: path, command: command, allowEmpty: caFile == nil)
        return .present(
          ChainAndAnchors(chain: facts.handshake.chain, anchors: anchors, checkedAt: facts.checkedAt))
      }
    }
  }

  /// A PEM file's chain and the CAs of `caFile`.
  static func fileAndAnchors(_ path: String, caFile: String) -> FactPlanner {
    { _ throws(ProbeError) in
      let (command, caCommand) = (read(path), read(caFile))
      return FactPlan(commands: [command, caCommand]) { outputs throws(ProbeError) in
        .present(
          ChainAndAnchors(
            chain: try certificates(in: outputs.output(command), path: path, command: command),
            anchors: try certificates(in: outputs.output(caCommand), path: caFile, command: caCommand),
            checkedAt: Int64(time(nil))))
      }
    }
  }

  /// The certificates of a PEM file; absent when the file is.
  static func file(_ path: String, key: String? = nil) -> FactPlanner {
    { _ throws(ProbeError) in
      let command = read(path)
      let keyCommand = key.map(read)
      return FactPlan(commands: [command] + (keyCommand.map { [$0] } ?? [])) { outputs throws(ProbeError) in
        let output = try outputs.output(command)
        if output.exitStatus != 0, output.stderrText.contains("No such file") {
          return .absent("no such file")
        }
        var facts = FileFacts(
          path: path, certificates: try certificates(in: output, path: path, command: command),
          checkedAt: Int64(time(nil)))
        if let keyCommand, let key {
          let keyOutput = try outputs.output(keyCommand)
          guard keyOutput.exitStatus == 0 else {
            throw .other("cannot read \(key): \(keyOutput.stderrText.trimmingWhitespace())")
          }
          facts.key = keyOutput.stdout
        }
        return .present(facts)
      }
    }
  }

  private static func certificates(
    in output: CommandOutput, path: String, command: ProbeCommand, allowEmpty: Bool = false
  )
    throws(ProbeError) -> [X509Certificate]
  {
    guard output.exitStatus == 0 else {
      throw .other("cannot read \(path): \(output.stderrText.trimmingWhitespace())")
    }
    let found = try X509Certificate.certificates(pem: output.stdout)
    guard !found.isEmpty || allowEmpty else {
      throw .unexpectedOutput(command: command.description, detail: "no PEM certificate")
    }
    return found
  }
}
