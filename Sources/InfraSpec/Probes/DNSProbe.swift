@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
#if canImport(Glibc)
  internal import Glibc
#endif

/// DNS queries and DNSSEC audits as network queries: asked once per host, straight from this
/// machine, or from the host's own point of view through its SSH connection (DNS over TCP in a
/// `direct-tcpip` channel) when the transport can tunnel.
enum DNSProbe {
  /// A query sent to `server`; the answer is the whole response message.
  static func query(
    _ name: String, _ type: DNSRecordType, server: String, port: UInt16, overTCP: Bool, dnssec: Bool
  ) -> FactPlanner {
    { _ throws(ProbeError) in
      let owner = try dnsName(name)
      let flags = (overTCP ? " +tcp" : "") + (dnssec ? " +dnssec" : "")
      let query = NetworkQuery(description: "dig @\(server) -p \(port) \(owner.text) \(type)\(flags)") {
        transport in
        let (client, tunneled) = client(for: transport)
        let options = DNSClient.Options(
          transport: overTCP || tunneled ? .tcpOnly : .udpWithTCPFallback, dnssecOK: dnssec)
        do throws(DNSClientError) {
          return .success(
            try await client.query(name: owner, type: type, server: server, port: port, options: options))
        } catch {
          return .failure(.other(error.description))
        }
      }
      return FactPlan(commands: [], queries: [query]) { outputs throws(ProbeError) in
        .present(try outputs.answer(query))
      }
    }
  }

  /// One DNSSEC audit step, named by `what`; the answer is its findings.
  static func audit(
    zone: String, server: String, port: UInt16, what: String,
    _ step: @escaping @Sendable (DNSSECAudit) async throws(DNSSECAuditError) -> [DNSSECFinding]
  ) -> FactPlanner {
    { _ throws(ProbeError) in
      let apex = try dnsName(zone)
      let query = NetworkQuery(description: "dnssec \(what) \(apex.text) @\(server) -p \(port)") {
        transport in
        let audit = DNSSECAudit(
          zone: apex, server: server, port: port, connector: (transport as? any DNSTunneling)?.dnsConnector,
          now: Int64(time(nil)))
        do throws(DNSSECAuditError) {
          return .success(try await step(audit))
        } catch {
          return .failure(.other(error.description))
        }
      }
      return FactPlan(commands: [], queries: [query]) { outputs throws(ProbeError) in
        .present(try outputs.answer(query))
      }
    }
  }

  private static func client(for transport: any Transport) -> (DNSClient, tunneled: Bool) {
    if let tunnel = transport as? any DNSTunneling {
      return (DNSClient(connector: tunnel.dnsConnector), true)
    }
    return (DNSClient(), false)
  }

  static func dnsName(_ text: String) throws(ProbeError) -> DNSName {
    do {
      return try DNSName(text)
    } catch {
      throw .other("not a DNS name: \(TextMatch.show(text)) (\(error))")
    }
  }
}
