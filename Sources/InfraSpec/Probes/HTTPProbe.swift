@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
#if canImport(Glibc)
  internal import Glibc
#endif

/// An HTTP request as a check names it: the URL's name is the SNI and `Host`, `via` the address
/// dialled.
struct HTTPRequestSpec: Sendable, Hashable, CustomStringConvertible {
  var url: String
  var via: String?
  var headers: [String: String]
  var timeout: Duration

  var description: String {
    let extra = headers.keys.sorted().map { " -H \(ShellQuoting.quote("\($0): \(headers[$0] ?? "")"))" }
      .joined()
    return "GET \(TextMatch.show(url))" + (via.map { " via \($0)" } ?? "") + extra
  }
}

/// HTTP GETs as network queries: the TCP connection starts here or at the host (SSH
/// `direct-tcpip`); TLS and HTTP/1.1 run here.
enum HTTPProbe {
  static func get(_ spec: HTTPRequestSpec) -> FactPlanner {
    { _ throws(ProbeError) in
      let target = try HTTPTarget(spec.url)
      let request = try HTTPClient.request(
        target, headers: spec.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
      let query = NetworkQuery(description: "curl " + spec.description) { transport in
        let deadline = ContinuousClock.now + spec.timeout
        do throws(ProbeError) {
          let response = try await exchange(
            request, target: target, via: spec.via, on: transport, deadline: deadline)
          return .success(response)
        } catch {
          return .failure(.other("\(target): \(error.message)"))
        }
      }
      return FactPlan(commands: [], queries: [query]) { outputs throws(ProbeError) in
        .present(try outputs.answer(query))
      }
    }
  }

  /// The TLS endpoint of an `https://` URL, for ALPN and certificate checks on the same target.
  static func endpoint(_ spec: HTTPRequestSpec) -> TLSEndpoint? {
    guard let target = try? HTTPTarget(spec.url), target.isTLS else { return nil }
    return TLSEndpoint(serverName: target.host, port: target.port, via: spec.via, timeout: spec.timeout)
  }

  /// One GET of `url` from the host's point of view, for probes that need a document (a key
  /// server's copy of a key).
  static func fetch(_ url: String, on transport: any Transport, timeout: Duration) async throws(ProbeError)
    -> HTTPResponse
  {
    let target = try HTTPTarget(url)
    let request = try HTTPClient.request(target, headers: [])
    do throws(ProbeError) {
      return try await exchange(request, target: target, via: nil, on: transport, deadline: .now + timeout)
    } catch {
      throw .other("\(target): \(error.message)")
    }
  }

  private static func exchange(
    _ request: [UInt8], target: HTTPTarget, via: String?, on transport: any Transport,
    deadline: ContinuousClock.Instant
  ) async throws(ProbeError) -> HTTPResponse {
    let address = via ?? target.host
    let stream = try await EdgeDialler.connect(
      on: transport, host: address, port: target.port, deadline: deadline)
    let connection: HTTPConnection
    if target.isTLS {
      do throws(TLSSession.Failure) {
        connection = .tls(
          try await TLSSession.connect(
            over: stream, serverName: target.host, options: TLSSession.Options(alpn: ["http/1.1"]),
            deadline: deadline))
      } catch {
        throw error.probeError
      }
    } else {
      connection = .plain(stream)
    }
    return try await HTTPClient().get(request, over: connection, deadline: deadline) { Int64(time(nil)) }
  }
}
