@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A mounted filesystem, by mount point.
///
///     Mount("/var/cache/nginx").isMounted().filesystem("tmpfs").hasOption("noexec")
public struct Mount: Resource {
  public var __chain: __ResourceChain

  /// What is mounted at a mount point.
  public init(_ mountPoint: String) {
    __chain = __ResourceChain(subject: "mount \(mountPoint)", plan: MountProbe.plan(mountPoint))
  }

  /// Something is mounted there.
  ///
  ///     Mount("/proc").isMounted()
  public func isMounted(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("is mounted", wanted: true, expected: "mounted", file: file, line: line, column: column)
  }

  /// The filesystem type, e.g. `ext4`, `xfs`, `tmpfs`.
  public func filesystem(_ type: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding("filesystem", expected: type, file: file, line: line, column: column) { (entry: MountEntry) in
      expectEqual(type, entry.filesystem)
    }
  }

  /// The mount options include `option` (`ro`, `noexec`, `size=64m`).
  public func hasOption(_ option: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding(
      "options", expected: "to include \(option)", title: "has option \(option)", file: file, line: line,
      column: column
    ) {
      (entry: MountEntry) in
      entry.options.contains(option)
        ? .pass : .fail(expected: "to include \(option)", actual: entry.options.joined(separator: ","))
    }
  }

  /// The mounted device or source, e.g. `/dev/sda1`.
  public func device(_ device: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding("device", expected: device, file: file, line: line, column: column) { (entry: MountEntry) in
      expectEqual(device, entry.device)
    }
  }
}
