// Spec files import only InfraSpec; the lower layers whose types they name come with it. The
// transports, SSH and reporters stay out of a spec's sight (the CLI imports them itself).
@_exported public import InfraSpecCore
@_exported public import InfraSpecDNS
@_exported public import InfraSpecEdge
// Public only for the runner's SPI (`SpecMain`, `ReportOutputs`), not re-exported.
@_spi(Runner) internal import InfraSpecReporters
internal import InfraSpecSSH
internal import InfraSpecTransports

// Foundation on Linux has an `OutputStream` too; inside InfraSpec the name means the reporters' one.
typealias OutputStream = InfraSpecReporters.OutputStream
