import InfraSpec

/// The kernel's name, as `uname -s` prints it.
///
///     KernelType().named("Linux")
public struct KernelType: Resource {
  public var __chain = __ResourceChain(
    "kernel type", probe: ResourceProbe(["cat", "/proc/sys/kernel/ostype"]) { $0.stdoutLine })

  public init() {}

  /// The kernel is `expected`.
  public func named(
    _ expected: String, file: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Self {
    expect("name", expected, file: file, line: line, column: column) { (name: String) in
      name == expected ? .passed : .failed(expected: expected, actual: name)
    }
  }
}
