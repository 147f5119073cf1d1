@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// One value a resource has on a host, for comparing across hosts with `Fleet`.
///
///     Fleet(Interface("eth0").macAddress).isUniquePerHost()
public struct Fact: Sendable {
  let subject: String
  let plan: FactPlanner
  let value: @Sendable (any Sendable) -> String
}

extension Interface {
  /// The interface's MAC address, lower-case.
  public var macAddress: Fact {
    Fact(subject: "interface \(name) mac", plan: InterfaceProbe.plan(name)) {
      ($0 as? InterfaceFacts)?.mac.lowercased() ?? ""
    }
  }
}

extension File {
  /// The SHA-256 of the file's content.
  public var sha256Digest: Fact {
    Fact(
      subject: "file \(path) sha256",
      plan: FileProbe.plan(path, reading: ProbeCommand(["sha256sum", "--", path]), onlyFor: File.readable) {
        stat, output in FileContent(stat: stat, text: output.map { String($0.prefix { !$0.isWhitespace }) })
      }
    ) { ($0 as? FileContent)?.text ?? "" }
  }
}

extension Package {
  /// The installed version.
  public var installedVersion: Fact {
    Fact(subject: "package \(name) version", plan: PackageProbe.plan(name)) {
      ($0 as? PackageFacts)?.version ?? ""
    }
  }
}

extension Sysctl {
  /// The parameter's current value.
  public var currentValue: Fact {
    Fact(subject: "sysctl \(key) value", plan: __chain.plan) { Sysctl.normalize($0 as? String ?? "") }
  }
}

extension Command {
  /// Standard output without its trailing newline.
  public var standardOutput: Fact {
    Fact(subject: "\(__chain.subject) stdout", plan: __chain.plan) { facts in
      var text = (facts as? CommandOutput)?.stdoutText ?? ""
      while text.hasSuffix("\n") { text.removeLast() }
      return text
    }
  }
}
