@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
#if canImport(Glibc)
  internal import Glibc
#endif

/// A TLS endpoint as a check names it: the name is the SNI, `via` the address dialled.
struct TLSEndpoint: Sendable, Hashable, CustomStringConvertible {
  var serverName: String
  var port: UInt16
  var via: String?
  var timeout: Duration

  var address: String { via ?? serverName }
  var description: String { "\(serverName):\(port)" + (via.map { " via \($0)" } ?? "") }
}

/// A finished handshake and when it happened, so expiry is judged against the probe's clock.
struct TLSFacts: Sendable {
  var handshake: TLSHandshake
  var checkedAt: Int64
}

/// Whether the server completed a handshake limited to one protocol version.
struct TLSVersionFacts: Sendable {
  var version: TLSProtocolVersion
  /// nil: accepted; otherwise what the server's refusal looked like.
  var refusal: String?
}

/// TLS handshakes as network queries: from this machine, or from the host through its SSH
/// connection; the handshake itself always runs here, in OpenSSL.
enum TLSProbe {
  /// One full handshake offering every version; its chain and settings are the facts.
  static func handshake(_ endpoint: TLSEndpoint, alpn: [String] = []) -> FactPlanner {
    { _ throws(ProbeError) in
      let query = handshakeQuery(endpoint, alpn: alpn)
      return FactPlan(commands: [], queries: [query]) { outputs throws(ProbeError) in
        .present(try outputs.answer(query))
      }
    }
  }

  static func handshakeQuery(_ endpoint: TLSEndpoint, alpn: [String]) -> NetworkQuery {
    let offer = alpn.isEmpty ? "" : " -alpn \(alpn.joined(separator: ","))"
    return NetworkQuery(
      description:
        "openssl s_client -connect \(endpoint.address):\(endpoint.port) -servername \(endpoint.serverName)\(offer)"
    ) { transport in
      let deadline = ContinuousClock.now + endpoint.timeout
      do throws(TLSSession.Failure) {
        let session = try await open(
          endpoint, options: TLSSession.Options(alpn: alpn), on: transport, deadline: deadline)
        return Result { () throws(ProbeError) in
          TLSFacts(handshake: try session.handshake(), checkedAt: Int64(time(nil)))
        }.map { $0 as any Sendable }
      } catch {
        return .failure(error.probeError)
      }
    }
  }

  /// A handshake allowing only `version`.
  static func version(_ endpoint: TLSEndpoint, _ version: TLSProtocolVersion) -> FactPlanner {
    { _ throws(ProbeError) in
      let query = NetworkQuery(
        description:
          "openssl s_client -connect \(endpoint.address):\(endpoint.port) -servername \(endpoint.serverName) -\(version.flag)"
      ) { transport in
        let deadline = ContinuousClock.now + endpoint.timeout
        let options = TLSSession.Options(minimum: version, maximum: version)
        do throws(TLSSession.Failure) {
          _ = try await open(endpoint, options: options, on: transport, deadline: deadline)
          return .success(TLSVersionFacts(version: version, refusal: nil))
        } catch {
          switch error {
          case .refused(let why): return .success(TLSVersionFacts(version: version, refusal: why))
          case .stream(let error): return .failure(error)
          }
        }
      }
      return FactPlan(commands: [], queries: [query]) { outputs throws(ProbeError) in
        .present(try outputs.answer(query))
      }
    }
  }

  /// Connects and completes a handshake; a version probe tells "the server said no" (a
  /// finding) from "the connection broke" (could not check).
  static func open(
    _ endpoint: TLSEndpoint, options: TLSSession.Options, on transport: any Transport,
    deadline: ContinuousClock.Instant
  ) async throws(TLSSession.Failure) -> TLSSession {
    let stream: any ByteStream
    do throws(ProbeError) {
      stream = try await EdgeDialler.connect(
        on: transport, host: endpoint.address, port: endpoint.port, deadline: deadline)
    } catch {
      throw .stream(error)
    }
    return try await TLSSession.connect(
      over: stream, serverName: endpoint.serverName, options: options, deadline: deadline)
  }
}

extension TLSProtocolVersion {
  /// The `openssl s_client` flag, for the query's name in reports.
  var flag: String {
    switch self {
    case .tls1_0: "tls1"
    case .tls1_1: "tls1_1"
    case .tls1_2: "tls1_2"
    case .tls1_3: "tls1_3"
    }
  }
}
