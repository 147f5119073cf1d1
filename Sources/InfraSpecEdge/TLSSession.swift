@_spi(Runner) package import InfraSpecCore
package import InfraSpecTransports
internal import COpenSSL

/// An OpenSSL TLS client whose records travel through memory BIOs over a `ByteStream`, so the
/// same handshake runs over a local socket or an SSH channel.
///
/// Certificates are not verified during the handshake: the checks read the served chain and
/// verify it themselves, so an expired or mis-issued chain is a finding, not a lost connection.
package final class TLSSession: @unchecked Sendable {
  // One exchange drives a session at a time (every call is awaited in turn), so no lock.
  package struct Options: Sendable {
    var minimum: TLSProtocolVersion = .tls1_0
    var maximum: TLSProtocolVersion = .tls1_3
    /// ALPN protocols offered, most preferred first.
    var alpn: [String] = []

    package init(
      minimum: TLSProtocolVersion = .tls1_0, maximum: TLSProtocolVersion = .tls1_3, alpn: [String] = []
    ) {
      self.minimum = minimum
      self.maximum = maximum
      self.alpn = alpn
    }
  }

  /// Why a handshake did not complete: the server said no (a finding for `rejects`), or the
  /// connection itself broke (could not check).
  package enum Failure: Error {
    case refused(String)
    case stream(ProbeError)

    /// Either way, for a check that needed the handshake: could not check.
    package var probeError: ProbeError {
      switch self {
      case .refused(let why): .other(why)
      case .stream(let error): error
      }
    }
  }

  private let context: OpaquePointer
  private let ssl: OpaquePointer
  private let input: OpaquePointer
  private let output: OpaquePointer
  private let stream: any ByteStream
  private let name: String

  private init(stream: any ByteStream, name: String, options: Options) throws(Failure) {
    guard let context = SSL_CTX_new(TLS_client_method()) else { throw .stream(.other("OpenSSL: no SSL_CTX")) }
    // Security level 0: a checker must be able to see (and report) a weak server, not refuse it.
    SSL_CTX_set_security_level(context, 0)
    SSL_CTX_set_cipher_list(context, "ALL:@SECLEVEL=0")
    infraspec_ssl_ctx_set_versions(context, options.minimum.openSSL, options.maximum.openSSL)
    if !options.alpn.isEmpty {
      let wire = options.alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
      SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count))
    }
    guard let ssl = SSL_new(context), let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem())
    else {
      SSL_CTX_free(context)
      throw .stream(.other("OpenSSL: no SSL session"))
    }
    SSL_set_bio(ssl, input, output)
    SSL_set_connect_state(ssl)
    if !X509Certificate.isIPAddress(name) { infraspec_ssl_set_host_name(ssl, name) }
    infraspec_ssl_request_ocsp(ssl)
    self.context = context
    self.ssl = ssl
    self.input = input
    self.output = output
    self.stream = stream
    self.name = name
  }

  deinit {
    SSL_free(ssl)
    SSL_CTX_free(context)
    stream.close()
  }

  /// Runs the handshake for `serverName` (SNI) over `stream`.
  package static func connect(
    over stream: any ByteStream, serverName: String, options: Options = Options(),
    deadline: ContinuousClock.Instant
  ) async throws(Failure) -> TLSSession {
    let session = try TLSSession(stream: stream, name: serverName, options: options)
    while true {
      ERR_clear_error()
      let result = SSL_do_handshake(session.ssl)
      do throws(ProbeError) {
        try await session.flush(deadline: deadline)
      } catch {
        throw .stream(error)
      }
      if result == 1 { return session }
      let code = SSL_get_error(session.ssl, result)
      guard code == SSL_ERROR_WANT_READ else {
        throw .refused(session.errorText(code, during: "the TLS handshake"))
      }
      let bytes: [UInt8]
      do throws(ProbeError) {
        bytes = try await stream.receive(atMost: 16_384, deadline: deadline)
      } catch {
        throw .stream(.other("\(error.message) in the TLS handshake with \(serverName)"))
      }
      session.feed(bytes)
    }
  }

  /// What the handshake settled and the chain the server sent, leaf first.
  package func handshake() throws(ProbeError) -> TLSHandshake {
    var chain: [X509Certificate] = []
    if let stack = SSL_get_peer_cert_chain(ssl) {
      for index in 0..<infraspec_x509_stack_count(stack) {
        if let pointer = infraspec_x509_stack_get(stack, index) { chain.append(try X509Certificate(pointer)) }
      }
    }
    var selected: UnsafePointer<UInt8>?
    var length: UInt32 = 0
    SSL_get0_alpn_selected(ssl, &selected, &length)
    let alpn = selected.map {
      String(decoding: UnsafeBufferPointer(start: $0, count: Int(length)), as: UTF8.self)
    }
    var staple: UnsafePointer<UInt8>?
    let stapleLength = infraspec_ssl_ocsp_response(ssl, &staple)
    return TLSHandshake(
      version: TLSProtocolVersion(openSSL: SSL_version(ssl)),
      cipher: String(cString: SSL_CIPHER_get_name(SSL_get_current_cipher(ssl))),
      alpn: alpn.flatMap { $0.isEmpty ? nil : $0 }, chain: chain,
      ocspResponse: staple.flatMap {
        stapleLength > 0 ? Array(UnsafeBufferPointer(start: $0, count: stapleLength)) : nil
      })
  }

  /// Encrypts and sends all of `bytes`.
  func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(ProbeError) {
    if !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
      guard written == bytes.count else {
        throw .other(errorText(SSL_get_error(ssl, written), during: "sending"))
      }
    }
    try await flush(deadline: deadline)
  }

  /// Up to `limit` decrypted bytes; empty when the server has ended the stream.
  func read(atMost limit: Int, deadline: ContinuousClock.Instant) async throws(ProbeError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: limit)
    while true {
      ERR_clear_error()
      let count = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
      if count > 0 { return Array(buffer.prefix(Int(count))) }
      let code = SSL_get_error(ssl, count)
      try await flush(deadline: deadline)
      switch code {
      case SSL_ERROR_ZERO_RETURN: return []
      case SSL_ERROR_WANT_READ:
        let bytes = try await stream.receive(atMost: 16_384, deadline: deadline)
        feed(bytes)
      // A server that closes without close_notify (many do after `Connection: close`) ends the stream.
      case SSL_ERROR_SYSCALL where BIO_ctrl(input, BIO_CTRL_EOF, 0, nil) != 0: return []
      default: throw .other(errorText(code, during: "reading"))
      }
    }
  }

  private func feed(_ bytes: [UInt8]) {
    if bytes.isEmpty {
      infraspec_bio_set_eof(input)
    } else {
      _ = bytes.withUnsafeBytes { BIO_write(input, $0.baseAddress, Int32($0.count)) }
    }
  }

  /// Sends what OpenSSL has written into the output BIO.
  private func flush(deadline: ContinuousClock.Instant) async throws(ProbeError) {
    while infraspec_bio_pending(output) > 0 {
      var buffer = [UInt8](repeating: 0, count: Int(infraspec_bio_pending(output)))
      let count = buffer.withUnsafeMutableBytes { BIO_read(output, $0.baseAddress, Int32($0.count)) }
      guard count > 0 else { return }
      try await stream.send(Array(buffer.prefix(Int(count))), deadline: deadline)
    }
  }

  private func errorText(_ code: Int32, during what: String) -> String {
    var reasons: [String] = []
    while case let error = ERR_get_error(), error != 0 {
      if let reason = ERR_reason_error_string(error) { reasons.append(String(cString: reason)) }
    }
    if reasons.isEmpty {
      reasons.append(
        code == SSL_ERROR_SYSCALL || code == SSL_ERROR_ZERO_RETURN
          ? "the server closed the connection" : "OpenSSL error \(code)")
    }
    return "\(name): \(what) failed: \(reasons.joined(separator: ", "))"
  }
}

/// What a completed handshake showed.
package struct TLSHandshake: Sendable {
  package var version: TLSProtocolVersion
  var cipher: String
  /// The ALPN protocol the server chose (`h2`, `http/1.1`), nil when it chose none.
  package var alpn: String?
  /// As served, leaf first.
  package var chain: [X509Certificate]
  /// The DER OCSP response the server stapled (read by `OCSPStaple`), nil when it stapled none.
  package var ocspResponse: [UInt8]?
  package var ocspStapled: Bool { ocspResponse != nil }
}
