// Spec files import only InfraSpec; the types they name from the lower layers come with it.
@_exported public import InfraSpecCore
@_exported public import InfraSpecDNS
@_exported public import InfraSpecEdge
@_exported public import InfraSpecReporters
@_exported public import InfraSpecSSH
@_exported public import InfraSpecTransports

// Foundation on Linux has an `OutputStream` too; inside InfraSpec the name means the reporters' one.
typealias OutputStream = InfraSpecReporters.OutputStream
