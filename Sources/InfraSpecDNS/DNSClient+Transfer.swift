@_spi(Runner) internal import InfraSpecCore
import Synchronization

extension DNSRecordType {
  /// Zone transfer (meta type, RFC 5936).
  static let axfr = DNSRecordType(rawValue: 252)
}

extension DNSClient {
  /// What a zone transfer returned: the records between the opening and closing SOA, or the
  /// response code the server refused it with.
  enum Transfer: Sendable {
    case records([DNSResourceRecord])
    case refused(DNSResponseCode)
  }

  /// Asks `server` for the whole zone by AXFR over TCP (through the connector, so over SSH too).
  func transfer(
    zone: DNSName, server: String, port: UInt16, timeout: Duration
  ) async throws(DNSClientError) -> Transfer {
    let query = DNSMessage.query(id: UInt16.random(in: 0...UInt16.max), name: zone, type: .axfr, edns: nil)
    let wire = query.encode()
    let framed = [UInt8(wire.count >> 8), UInt8(wire.count & 0xFF)] + wire
    let soaCount = SOACounter()
    let replies: [[UInt8]]
    do {
      replies = try await connector.messages(framed, server: server, port: port, timeout: timeout) { reply in
        soaCount.isLast(reply)
      }
    } catch let error as DNSClientError {
      throw error
    } catch {
      throw DNSClientError(code: .connectionFailed, server: server, port: port, detail: "\(error)")
    }
    var records: [DNSResourceRecord] = []
    for (index, reply) in replies.enumerated() {
      var response: DNSMessage
      do {
        response = try DNSMessage(decoding: reply)
      } catch {
        throw DNSClientError(code: .malformedResponse, server: server, port: port, detail: error.description)
      }
      // Only the first message of a transfer has to repeat the question (RFC 5936 §2.2).
      if index > 0 && response.questions.isEmpty { response.questions = query.questions }
      response = try Self.check(reply, answers: query, server: server, port: port, decoded: response)
      guard response.responseCode == .noError else { return .refused(response.responseCode) }
      records += response.answers
    }
    guard records.count >= 2, records.first?.type == .soa, records.last?.type == .soa else {
      throw DNSClientError(
        code: .truncated, server: server, port: port,
        detail: "the transfer of \(zone.text) ended after \(records.count) records without its closing SOA")
    }
    return .records(Array(records.dropLast()))
  }
}

/// Decides when a transfer's stream ends: at the second SOA, or at an error response.
private final class SOACounter: Sendable {
  private let seen = Mutex(0)

  func isLast(_ reply: [UInt8]) -> Bool {
    guard let message = try? DNSMessage(decoding: reply) else { return true }
    if message.responseCode != .noError || message.answers.isEmpty { return true }
    let count = message.answers.filter { $0.type == .soa }.count
    return seen.withLock { total in
      total += count
      return total >= 2
    }
  }
}
