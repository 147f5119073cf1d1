internal import ArgumentParser
internal import FoundationEssentials
@_spi(Runner) internal import InfraSpecReporters
@_spi(Runner) internal import InfraSpec

/// `infraspec capture`: print the spec of one host as it is now, to start from a host that is right.
struct CaptureCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "capture",
    abstract: "Write the spec of a host as it is now (Swift, on stdout).",
    discussion: """
      Connects like `run` (this machine, or one host over SSH, with the same host key checks and \
      --sudo rules) and prints a spec in the InfraSpec DSL: one statement per interface, route, \
      listening port, service, package, user, group, file, kernel parameter, DNS answer and \
      mount. The printed spec passes on the host it came from; on another host it fails where \
      the two differ.

        infraspec capture --inventory pops.ini --limit lax1 > Specs/lax1.swift
        infraspec capture --host ops@lax1 --only interfaces,routes,files:/etc/pop

      Kinds for --only: interfaces, routes, ports, services, packages, users (with groups), \
      files:DIR, sysctls, dns:NAME, mounts. Without --only, all but files and dns.

      Packages: by default a named set (openssh-server, nginx, bind9, systemd, ... when \
      installed; --package adds more); naming `packages` in --only captures every installed one. \
      Sysctls: forwarding, rp_filter, syncookies, somaxconn, the ephemeral port range. DNS: the \
      A and AAAA answers to each name from every nameserver of the host's /etc/resolv.conf.

      Left out as volatile: PIDs, uptime, counters, listeners on ephemeral ports, services \
      neither running nor enabled, kernel and runtime mounts (/proc, /sys, /dev, /run). Files \
      are captured by owner, group, mode and SHA-256 digest: their content is never written \
      into the spec. Values from the host are escaped, so any file name gives a spec that \
      compiles and names that file.

      Exit codes: 0 written, 2 the host could not be reached, 64 usage error.
      """)

  @OptionGroup var targets: HostOptions

  @Option(
    help: ArgumentHelp(
      "Kinds of facts to capture, ',' separated: interfaces,routes,ports,services,packages,users,files:DIR,sysctls,dns:NAME,mounts.",
      valueName: "kinds"))
  var only: String?

  @Option(name: .customLong("package"), help: "Also capture this package when installed (repeatable).")
  var packages: [String] = []

  @Option(help: "Seconds before a probe is killed.")
  var timeout: Double = 30

  func validate() throws {
    if targets.shard != nil {
      throw ValidationError("--shard splits a run of many hosts; capture takes one host")
    }
    guard timeout > 0, timeout <= 86_400 else {
      throw ValidationError("--timeout must be between 0 and 86400 seconds")
    }
    if let only { _ = try Self.selection(only, packages: packages) }
  }

  static func selection(_ only: String?, packages: [String]) throws -> CaptureSelection {
    var selection = CaptureSelection()
    if let only {
      do throws(CaptureSelectionError) {
        selection = try CaptureSelection.parse(only: only)
      } catch {
        throw ValidationError(error.description)
      }
    }
    selection.extraPackages = packages
    return selection
  }

  func run() async throws {
    var request = RunRequest()
    request.options.probeTimeoutSeconds = timeout
    try targets.apply(to: &request)
    if request.hosts.count > 1 {
      throw ValidationError(
        "capture writes the spec of one host; \(request.hosts.count) are selected: "
          + request.hosts.map(\.name).joined(separator: ", ") + " (narrow --limit, or give one --host)")
    }
    let selection = try Self.selection(only, packages: packages)
    let spec: String
    do throws(CaptureError) {
      spec = try await HostCapture.spec(for: request, selection: selection)
    } catch .usage(let message) {
      throw Failure.exit(message)
    } catch {
      throw Failure.exit(
        "cannot capture \(error.description)", code: InfraSpec.ExitCode.couldNotCheck.rawValue)
    }
    OutputStream.standardOutput.write(spec)
  }
}
