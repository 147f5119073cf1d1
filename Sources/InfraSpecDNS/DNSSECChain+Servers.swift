@_spi(Runner) internal import InfraSpecCore

/// Which server to ask on the way down a chain of trust: the ones the spec names first
/// (`parentServers:`, else the zone's own server), then the name servers the parent's
/// delegation names, as a resolver would follow them.
extension DNSSECAudit {
  /// The first of `candidates` that answers authoritatively for `zone`'s SOA; then the servers
  /// `delegation()` yields, asked only when no candidate is authoritative.
  func authoritativeServer(
    for zone: DNSName, among candidates: [DNSServer],
    delegation: () async throws(DNSSECAuditError) -> [DNSServer] = { [] }
  ) async throws(DNSSECAuditError) -> DNSServer {
    var tried: [String] = []
    func answers(_ candidate: DNSServer) async -> Bool {
      do {
        let response = try await ask(zone, .soa, at: candidate, accepting: [.noError, .nameError, .refused])
        if response.isAuthoritative, !response.records(in: response.answers, name: zone, type: .soa).isEmpty {
          return true
        }
        tried.append(
          "\(candidate.endpoint) (\(response.responseCode == .refused ? "refused" : "not authoritative"))")
      } catch {
        tried.append("\(candidate.endpoint) (\(error.detail))")
      }
      return false
    }
    for candidate in candidates where await answers(candidate) { return candidate }
    for candidate in try await delegation() where !candidates.contains(candidate) {
      if await answers(candidate) { return candidate }
    }
    throw DNSSECAuditError(
      code: .notAuthoritative,
      detail: "no server answers for \(zone.text): asked \(tried.joined(separator: ", "))")
  }

  /// The DS answer for `child` from a server authoritative for the parent side of the cut: a
  /// server that serves only the child answers from the child's apex (its SOA in the authority
  /// section), which says nothing about the DS, so it is passed over like a referral.
  func dsResponse(
    for child: DNSName, among candidates: [DNSServer]
  ) async throws(DNSSECAuditError) -> DNSMessage {
    var tried: [String] = []
    var seen: Set<DNSServer> = []
    for candidate in candidates where seen.insert(candidate).inserted {
      let response: DNSMessage
      do {
        response = try await ask(child, .ds, at: candidate, accepting: [.noError, .nameError, .refused])
      } catch {
        tried.append("\(candidate.endpoint) (\(error.detail))")
        continue
      }
      let hasDS = !response.records(in: response.answers, name: child, type: .ds).isEmpty
      let parentSide = response.authorities.contains { record in
        record.type == .soa && record.name != child && child.isSubdomain(of: record.name)
      }
      if response.isAuthoritative, response.responseCode != .refused, hasDS || parentSide { return response }
      tried.append(
        "\(candidate.endpoint) (\(response.responseCode == .refused ? "refused" : hasDS || parentSide ? "not authoritative" : "answers from the child side"))"
      )
    }
    throw DNSSECAuditError(
      code: .notAuthoritative,
      detail: "no server answers for the DS of \(child.text): asked \(tried.joined(separator: ", "))")
  }

  /// The name servers the delegation of `child` at `parent` names, with their glue addresses
  /// (or addresses the same server gives for them), on port 53 as a resolver asks them.
  func delegatedServers(of child: DNSName, at parent: DNSServer) async -> [DNSServer] {
    guard let response = try? await ask(child, .ns, at: parent, accepting: [.noError]) else { return [] }
    let names: [DNSName] = (response.authorities + response.answers).compactMap {
      if $0.name == child, case .ns(let target) = $0.rdata { target } else { nil }
    }
    var servers: [DNSServer] = []
    for name in names {
      var addresses: [DNSResourceRecord] = response.additionals.filter {
        $0.name == name && ($0.type == .a || $0.type == .aaaa)
      }
      if addresses.isEmpty {
        for type in [DNSRecordType.a, .aaaa] {
          if let answer = try? await ask(name, type, at: parent, accepting: [.noError]) {
            addresses += answer.records(in: answer.answers, name: name, type: type)
          }
        }
      }
      for record in addresses {
        switch record.rdata {
        case .a(let bytes), .aaaa(let bytes):
          guard let address = IPAddress(bytes: bytes) else { continue }
          servers.append(DNSServer(name: name.text, address: address.description, port: 53))
        default: continue
        }
      }
    }
    return servers
  }
}
