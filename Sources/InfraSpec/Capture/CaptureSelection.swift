@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge

/// What `infraspec capture` writes into the spec: which kinds of facts, and for which names.
@_spi(Runner)
public struct CaptureSelection: Sendable, Equatable {
  /// A kind of fact, as `--only` names it.
  public enum Section: String, Sendable, CaseIterable {
    /// Link state, MTU, MAC and addresses of every interface.
    case interfaces
    /// The IPv4 and IPv6 main tables.
    case routes
    /// Listening TCP and UDP ports outside the ephemeral range.
    case ports
    /// Services running or enabled, as the service manager says.
    case services
    /// Installed packages and their versions.
    case packages
    /// Users (with their groups) and groups.
    case users
    /// Files under the `files:DIR` folders, by digest.
    case files
    /// The kernel parameters of `CaptureSelection.sysctls`.
    case sysctls
    /// Answers to the `dns:NAME` names from the host's nameservers.
    case dns
    /// Mounted filesystems, without kernel and runtime mounts.
    case mounts
  }

  /// The kinds captured, in the order the spec shows them.
  public var sections: [Section]
  /// Folders whose files are captured (owner, mode, SHA-256; never the content).
  public var fileRoots: [String]
  /// Names asked of every `nameserver` in the host's `/etc/resolv.conf`.
  public var dnsNames: [String]
  /// Every installed package rather than the named set of `defaultPackages`.
  public var allPackages: Bool
  /// More packages to capture besides `defaultPackages`, when they are installed.
  public var extraPackages: [String]

  /// Everything but files (which need a folder) and DNS (which needs names).
  public init(
    sections: [Section] = Section.allCases.filter { $0 != .files && $0 != .dns }, fileRoots: [String] = [],
    dnsNames: [String] = [], allPackages: Bool = false, extraPackages: [String] = []
  ) {
    self.sections = sections
    self.fileRoots = fileRoots
    self.dnsNames = dnsNames
    self.allPackages = allPackages
    self.extraPackages = extraPackages
  }

  /// Parses `--only interfaces,routes,files:/etc/pop,dns:www.example.com,packages`.
  ///
  /// `files:DIR` and `dns:NAME` may repeat; naming `packages` in `--only` captures every
  /// installed package, not only the named set.
  public static func parse(only: String) throws(CaptureSelectionError) -> CaptureSelection {
    var selection = CaptureSelection(sections: [], allPackages: false)
    for item in only.split(separator: ",", omittingEmptySubsequences: false) {
      let item = item.trimmingWhitespace()
      let (word, argument): (String, String?) =
        if let colon = item.firstIndex(of: ":") {
          (String(item[..<colon]), String(item[item.index(after: colon)...]))
        } else {
          (item, nil)
        }
      guard let section = Section(rawValue: word) else {
        throw CaptureSelectionError(
          "--only: unknown kind \(SwiftLiteral.string(word)); choose from "
            + Section.allCases.map(\.rawValue).joined(separator: ", "))
      }
      switch (section, argument) {
      case (.files, let folder?):
        guard folder.hasPrefix("/"), folder.count > 1 else {
          throw CaptureSelectionError(
            "--only files:DIR takes an absolute folder other than /, e.g. files:/etc/pop")
        }
        selection.fileRoots.append(folder)
      case (.files, nil):
        throw CaptureSelectionError("--only files needs a folder: files:/etc/pop")
      case (.dns, let name?):
        guard !name.isEmpty else {
          throw CaptureSelectionError("--only dns:NAME needs a name: dns:www.example.com")
        }
        selection.dnsNames.append(name)
      case (.dns, nil):
        throw CaptureSelectionError("--only dns needs a name to ask: dns:www.example.com")
      case (let other, let argument?):
        throw CaptureSelectionError(
          "--only \(other.rawValue) takes no argument (got \(other.rawValue):\(argument))")
      case (.packages, nil):
        selection.allPackages = true
      default:
        break
      }
      if !selection.sections.contains(section) { selection.sections.append(section) }
    }
    selection.sections.sort { Section.allCases.firstIndex(of: $0)! < Section.allCases.firstIndex(of: $1)! }
    return selection
  }

  /// Packages captured by default, when installed: what a PoP's behaviour depends on. A full
  /// listing (`--only packages`) is hundreds of lines that change with every security update.
  public static let defaultPackages = [
    "base-files", "bind9", "ca-certificates", "chrony", "haproxy", "iproute2", "knot", "libc6",
    "libssl3", "nginx", "ntp", "openrc", "openssh-client", "openssh-server", "openssl", "sudo", "systemd",
    "unbound", "varnish",
  ]

  /// Kernel parameters captured: forwarding, filtering and the TCP settings that shape traffic.
  /// Counters and per-boot values (`kernel.random.boot_id`, `fs.dentry-state`) are left out.
  public static let sysctls = [
    "kernel.ostype", "net.core.somaxconn", "net.ipv4.conf.all.rp_filter", "net.ipv4.ip_forward",
    "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv6.conf.all.disable_ipv6",
    "net.ipv6.conf.all.forwarding",
  ]
}

/// A `--only` list that names no kind of fact `capture` knows, or names one wrong.
@_spi(Runner)
public struct CaptureSelectionError: Error, Sendable, CustomStringConvertible {
  /// What is wrong and how to write it.
  public let description: String

  init(_ description: String) { self.description = description }
}
