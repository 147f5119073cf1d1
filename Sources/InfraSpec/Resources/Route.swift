@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// A route in the main routing table, IPv4 or IPv6.
///
///     Route.default.via("192.0.2.1").device("eth0")
///     Route("198.51.100.0/24").via("192.0.2.254")
public struct Route: Resource {
  public var __chain: __ResourceChain
  let destination: String
  let ipv6: Bool?

  /// A route to exactly this prefix (`198.51.100.0/24`, `2001:db8:1::/48`).
  public init(_ prefix: String) {
    self.init(destination: RouteProbe.canonicalDestination(prefix), ipv6: nil)
  }

  /// The IPv4 default route.
  public static var `default`: Route { Route(destination: "default", ipv6: false) }
  /// The IPv6 default route.
  public static var defaultIPv6: Route { Route(destination: "default", ipv6: true) }

  private init(destination: String, ipv6: Bool?) {
    self.destination = destination
    self.ipv6 = ipv6
    let subject =
      destination == "default" ? "route default\(ipv6 == true ? " (IPv6)" : "")" : "route \(destination)"
    __chain = __ResourceChain(subject: subject) { profile throws(ProbeError) in
      let base = try RouteProbe.plan(profile)
      return FactPlan(commands: base.commands) { outputs throws(ProbeError) in
        guard case .present(let all as [RouteEntry]) = try base.read(outputs) else {
          return .absent("no such route")
        }
        let matching = all.filter { route in
          guard route.destination == destination else { return false }
          guard let ipv6, let gateway = route.gateway, let address = IPAddress(gateway) else { return true }
          return address.isIPv4 != ipv6
        }
        return matching.isEmpty ? .absent("no such route") : .present(matching)
      }
    }
  }

  /// The route is in the routing table.
  ///
  ///     Route.default.exists()
  public func exists(file: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
    addingExistence("exists", wanted: true, expected: "to exist", file: file, line: line, column: column)
  }

  /// Goes through `gateway`.
  public func via(_ gateway: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    let wanted = IPAddress(gateway)?.description ?? gateway
    return adding(
      "gateway", expected: wanted, title: "via \(gateway)", file: file, line: line, column: column
    ) {
      (routes: [RouteEntry]) in
      routes.contains { $0.gateway == wanted }
        ? .pass
        : .fail(
          expected: wanted,
          actual: routes.map { $0.gateway ?? "no gateway (\($0.description))" }.joined(separator: ", "))
    }
  }

  /// Leaves through `device`.
  public func device(_ device: String, file: String = #filePath, line: Int = #line, column: Int = #column)
    -> Self
  {
    adding("device", expected: device, title: "dev \(device)", file: file, line: line, column: column) {
      (routes: [RouteEntry]) in
      routes.contains { $0.device == device }
        ? .pass
        : .fail(expected: device, actual: routes.map { $0.device ?? "no device" }.joined(separator: ", "))
    }
  }
}
