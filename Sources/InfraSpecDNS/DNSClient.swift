@_spi(Runner) internal import InfraSpecCore
import Dispatch

/// Sends DNS queries over UDP (TCP on truncation) or TCP, and checks that the reply answers the query.
package struct DNSClient: Sendable {
  package enum Transport: Sendable {
    case udpWithTCPFallback
    case tcpOnly
  }

  package struct Options: Sendable {
    var transport = Transport.udpWithTCPFallback
    /// Sets the EDNS0 DO bit so the server includes RRSIG, NSEC and NSEC3 records.
    var dnssecOK = false
    var recursionDesired = false
    var checkingDisabled = false
    /// Per attempt.
    var timeout: Duration = .seconds(2)
    /// Further attempts after a UDP timeout.
    var retries = 2
    /// nil sends no OPT record.
    var udpPayloadSize: UInt16? = 1232
    /// Sent in the OPT record (NSID asks the server to name itself); none without an OPT record.
    var ednsOptions: [DNSEDNSOption] = []

    package init(
      transport: Transport = .udpWithTCPFallback, dnssecOK: Bool = false, recursionDesired: Bool = false,
      timeout: Duration = .seconds(2), retries: Int = 2, udpPayloadSize: UInt16? = 1232
    ) {
      self.transport = transport
      self.dnssecOK = dnssecOK
      self.recursionDesired = recursionDesired
      self.timeout = timeout
      self.retries = retries
      self.udpPayloadSize = udpPayloadSize
    }
  }

  /// Carries TCP exchanges; swap in an SSH channel to ask from a remote host's point of view.
  var connector: any DNSStreamConnector

  package init(connector: any DNSStreamConnector = DNSTCPConnector()) {
    self.connector = connector
  }

  package func query(
    name: DNSName, type: DNSRecordType, server: String, port: UInt16 = 53, options: Options = Options()
  ) async throws(DNSClientError) -> DNSMessage {
    var query = DNSMessage.query(
      id: UInt16.random(in: 0...UInt16.max), name: name, type: type,
      recursionDesired: options.recursionDesired,
      edns: options.udpPayloadSize.map {
        var edns = DNSEDNS(udpPayloadSize: $0, dnssecOK: options.dnssecOK)
        edns.options = options.ednsOptions
        return edns
      })
    query.checkingDisabled = options.checkingDisabled
    if options.transport == .udpWithTCPFallback {
      let response = try await udp(query, server: server, port: port, options: options)
      if !response.isTruncated { return response }
    }
    return try await tcp(query, server: server, port: port, options: options)
  }

  private func udp(
    _ query: DNSMessage, server: String, port: UInt16, options: Options
  ) async throws(DNSClientError) -> DNSMessage {
    let wire = query.encode()
    let id = query.id
    var attempt = 0
    while true {
      do {
        let reply = try await Self.offload { () throws(DNSClientError) in
          try DNSSocket.udpExchange(wire, server: server, port: port, timeout: options.timeout) { reply in
            reply.count >= 2 && UInt16(reply[0]) << 8 | UInt16(reply[1]) == id
          }
        }
        return try Self.check(reply, answers: query, server: server, port: port)
      } catch  where error.code == .timedOut && attempt < options.retries {
        attempt += 1
      }
    }
  }

  private func tcp(
    _ query: DNSMessage, server: String, port: UInt16, options: Options
  ) async throws(DNSClientError) -> DNSMessage {
    let wire = query.encode()
    let framed = [UInt8(wire.count >> 8), UInt8(wire.count & 0xFF)] + wire
    let reply: [UInt8]
    do {
      reply = try await connector.exchange(framed, server: server, port: port, timeout: options.timeout)
    } catch let error as DNSClientError {
      throw error
    } catch {
      throw DNSClientError(code: .connectionFailed, server: server, port: port, detail: "\(error)")
    }
    let response = try Self.check(reply, answers: query, server: server, port: port)
    if response.isTruncated {
      throw DNSClientError(
        code: .truncated, server: server, port: port, detail: "TCP response has the TC flag set")
    }
    return response
  }

  static func check(
    _ reply: [UInt8], answers query: DNSMessage, server: String, port: UInt16, decoded: DNSMessage? = nil
  ) throws(DNSClientError) -> DNSMessage {
    let response: DNSMessage
    if let decoded {
      response = decoded
    } else {
      do {
        response = try DNSMessage(decoding: reply)
      } catch {
        throw DNSClientError(code: .malformedResponse, server: server, port: port, detail: error.description)
      }
    }
    guard response.isResponse, response.id == query.id else {
      throw DNSClientError(
        code: .mismatchedResponse, server: server, port: port,
        detail: "reply ID \(response.id) is not the query ID \(query.id) or not a response")
    }
    guard
      response.questions == query.questions
        || (response.questions.isEmpty && response.responseCode != .noError)
    else {
      let asked = query.questions.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
      let got = response.questions.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
      throw DNSClientError(
        code: .mismatchedResponse, server: server, port: port,
        detail: "reply is for question '\(got)', asked '\(asked)'")
    }
    return response
  }

  /// Runs blocking socket work on a Dispatch thread so poll() never parks a cooperative-pool thread.
  static func offload<T: Sendable>(
    _ work: @escaping @Sendable () throws(DNSClientError) -> T
  ) async throws(DNSClientError) -> T {
    let result: Result<T, DNSClientError> = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(returning: Result { () throws(DNSClientError) -> T in try work() })
      }
    }
    return try result.get()
  }
}
