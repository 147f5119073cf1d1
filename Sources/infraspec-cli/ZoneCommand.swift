internal import ArgumentParser
internal import InfraSpec
@_spi(Runner) internal import InfraSpecCore
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports

/// `infraspec zone verify FILE`: a signed zone file checked offline, as ldns-verify-zone and
/// dnssec-verify do, and for a window of validity (`--valid-for 7d`) as validns's `-t` does.
struct ZoneCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "zone", abstract: "Check zone files offline.", subcommands: [Verify.self])

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Verify every signature and the NSEC/NSEC3 chain of a signed zone file.",
      discussion: "Exit status: 0 verified, 1 it does not, 2 could not check (unreadable file), 64 usage.")

    @Argument(help: "The signed zone file.")
    var file: String

    @Option(help: "The zone's origin (default: the file name without .signed, .zone or .db).")
    var origin: String?

    @Option(help: "A trust anchor: DS or DNSKEY text, or a file with one, for the DNSKEY set.")
    var anchor: String?

    @Option(name: .customLong("valid-for"), help: "The zone must stay valid this long from now (7d, 36h).")
    var validFor: String?

    func run() async throws {
      let (status, lines) = await ZoneFile.verifyCommand(
        path: file, origin: origin, anchor: anchor, validFor: validFor)
      for line in lines { print(line) }
      if status != 0 { throw ExitCode(status) }
    }
  }
}
