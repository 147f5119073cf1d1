@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge

/// `infraspec capture`: the spec of a host as it is now, written in the DSL users write.
///
/// Facts come through the resources' own probes over the run's transports, so what is captured
/// is what a run of the written spec checks. Volatile facts (PIDs, uptime, ephemeral ports,
/// counters) are never captured, and files are captured by digest, never by content.
@_spi(Runner)
public enum HostCapture {
  /// The spec of the one host `request` names (none: this machine), as Swift source.
  public static func spec(for request: RunRequest, selection: CaptureSelection) async throws(CaptureError)
    -> String
  {
    let targets = HostConnector.targets(for: request)
    guard targets.count == 1, let target = targets.first else {
      throw .usage("capture writes the spec of one host; \(targets.count) are selected (use --limit)")
    }
    let transport: any Transport
    switch await target.connect() {
    case .success(let connected): transport = connected
    case .failure(let error): throw .unreachable("\(target.name): \(error.message)")
    }
    do throws(CaptureError) {
      let profile = try await detectProfile(transport, options: request.options)
      let gatherer = FactGatherer(transport: transport, profile: profile, options: request.options)
      var sections: [CapturedSection] = []
      for section in selection.sections {
        do throws(ProbeError) {
          switch section {
          case .interfaces: sections.append(try await gatherer.interfaces())
          case .routes: sections.append(try await gatherer.routes())
          case .ports: sections.append(try await gatherer.ports())
          case .services: sections.append(try await gatherer.services())
          case .packages: sections.append(try await gatherer.packages(selection))
          case .users: sections += try await gatherer.users()
          case .files:
            for root in selection.fileRoots { sections.append(try await gatherer.files(under: root)) }
          case .sysctls: sections.append(try await gatherer.sysctls())
          case .dns: sections.append(try await gatherer.dns(selection.dnsNames))
          case .mounts: sections.append(try await gatherer.mounts())
          }
        } catch .connection(let detail) {
          throw CaptureError.unreachable("\(target.name): connection lost: \(detail)")
        } catch {
          // One kind the host cannot answer (no package manager InfraSpec knows) leaves the others.
          sections.append(
            CapturedSection(
              title: section.rawValue, notes: [SwiftLiteral.comment("not captured: \(error.message)")]))
        }
      }
      await transport.close()
      return render(host: target.name, profile: profile, sections: sections)
    } catch {
      await transport.close()
      throw error
    }
  }

  static func detectProfile(_ transport: any Transport, options: RunOptions) async throws(CaptureError)
    -> HostProfile
  {
    let commands = [HostProfile.osReleaseCommand, HostProfile.initCommand]
    var outputs = ProbeOutputs()
    for await (command, result) in transport.runAll(commands, timeout: options.probeTimeout) {
      outputs.results[command] = result
    }
    do throws(ProbeError) {
      let osRelease = try outputs.output(HostProfile.osReleaseCommand)
      let initComm = (try? outputs.output(HostProfile.initCommand))?.stdoutText ?? ""
      return HostProfile.detect(osRelease: osRelease.stdoutText, initComm: initComm)
    } catch {
      throw .unreachable("\(transport.hostName): \(error.message)")
    }
  }

  /// One `describe` per kind of fact, one statement per thing, inside one block named after the
  /// host. Blocks stay under 100 statements so a large capture type-checks fast.
  static func render(host: String, profile: HostProfile, sections: [CapturedSection]) -> String {
    var text = """
      import InfraSpec

      // Written by `infraspec capture`: what the host was when captured (\(SwiftLiteral.comment(profile.osName))).
      // Read it before you keep it: every line is a fact of that moment, not yet a decision.
      // Files are captured by owner, mode and SHA-256 digest, never by content.

      describe(\(SwiftLiteral.string("captured from \(host)"))) {

      """
    let chunk = 90
    for (index, section) in sections.enumerated() {
      if index > 0 { text += "\n" }
      text += "  describe(\(SwiftLiteral.string(section.title))) {\n"
      for note in section.notes { text += "    // \(note)\n" }
      if section.lines.count <= chunk {
        for line in section.lines { text += "    \(line)\n" }
      } else {
        let parts = stride(from: 0, to: section.lines.count, by: chunk).map {
          section.lines[$0..<min($0 + chunk, section.lines.count)]
        }
        for (number, part) in parts.enumerated() {
          text += "    describe(\"part \(number + 1) of \(parts.count)\") {\n"
          for line in part { text += "      \(line)\n" }
          text += "    }\n"
        }
      }
      text += "  }\n"
    }
    return text + "}\n"
  }
}

/// Why a capture could not be written.
@_spi(Runner)
public enum CaptureError: Error, Sendable, CustomStringConvertible {
  /// The command line asks for something capture cannot do (more than one host).
  case usage(String)
  /// The host could not be reached, or the connection was lost.
  case unreachable(String)

  /// What happened, for `infraspec: …` on stderr.
  public var description: String {
    switch self {
    case .usage(let message), .unreachable(let message): message
    }
  }
}
