@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A kernel module, loaded or built in (listed in `/sys/module`).
///
///     KernelModule("nf_conntrack").isLoaded()
///     KernelModule("usb_storage").isNotLoaded()
public struct KernelModule: Resource {
  public var __chain: __ResourceChain

  /// A kernel module, by the name `lsmod` shows.
  public init(_ name: String) {
    __chain = __ResourceChain(subject: "kernel module \(name)", plan: HostSecurityProbe.module(name))
  }

  /// The module is loaded (or built in).
  public func isLoaded(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("is loaded", wanted: true, expected: "loaded", file: file, line: line, column: column)
  }

  /// The module is not loaded.
  public func isNotLoaded(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence(
      "is not loaded", wanted: false, expected: "not loaded", file: file, line: line, column: column
    ) { _ in "loaded" }
  }
}
