@_spi(Runner) package import InfraSpecCore
internal import COpenSSL

#if canImport(Glibc)
  internal import Glibc
#endif

/// The OCSP response a server stapled to its handshake, read by OpenSSL: what it says about the
/// served leaf, for how long, and whether the leaf's issuer (or a responder it delegated to) signed
/// it. Nothing is fetched: a staple is judged as the server sent it.
package struct OCSPStaple: Sendable, Equatable {
  /// What the responder says about the leaf.
  package enum Status: Sendable, Equatable {
    case good
    /// Seconds since the epoch, and the CRL reason when the responder gave one.
    case revoked(at: Int64?, reason: String?)
    case unknown
  }

  /// `successful`, or why the responder answered without a status (`tryLater`, `unauthorized`).
  package var responseStatus: String
  /// nil when the response holds no entry for the served leaf.
  package var status: Status?
  /// Seconds since the epoch: when the status was known to be correct, and when a newer one is due.
  package var thisUpdate: Int64?
  package var nextUpdate: Int64?
  /// nil when the signature verifies against the served chain; otherwise why it does not.
  package var signatureProblem: String?

  /// Reads a DER `OCSPResponse` about `chain[0]`; its issuer is `chain[1]` when the server sent it.
  package static func read(der: [UInt8], chain: [X509Certificate]) throws(ProbeError) -> OCSPStaple {
    let response: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
      var start = buffer.baseAddress
      return d2i_OCSP_RESPONSE(nil, &start, buffer.count)
    }
    guard let response else {
      ERR_clear_error()
      throw .other("the stapled OCSP response is not DER")
    }
    defer { OCSP_RESPONSE_free(response) }
    let code = OCSP_response_status(response)
    var staple = OCSPStaple(responseStatus: String(cString: OCSP_response_status_str(Int(code))))
    guard code == OCSP_RESPONSE_STATUS_SUCCESSFUL, let basic = OCSP_response_get1_basic(response) else {
      return staple
    }
    defer { OCSP_BASICRESP_free(basic) }
    guard let leafCertificate = chain.first else { return staple }
    let leaf = try X509Certificate.parse(leafCertificate.der)
    defer { X509_free(leaf) }
    let issuer = chain.count > 1 ? try X509Certificate.parse(chain[1].der) : nil
    defer { if let issuer { X509_free(issuer) } }

    if let single = entry(for: leaf, issuer: issuer, in: basic) {
      var reason: Int32 = -1
      var revoked: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
      var thisUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
      var nextUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
      let status = OCSP_single_get0_status(single, &reason, &revoked, &thisUpdate, &nextUpdate)
      staple.thisUpdate = seconds(thisUpdate)
      staple.nextUpdate = seconds(nextUpdate)
      switch status {
      case V_OCSP_CERTSTATUS_GOOD: staple.status = .good
      case V_OCSP_CERTSTATUS_REVOKED:
        staple.status = .revoked(
          at: seconds(revoked), reason: reason >= 0 ? String(cString: OCSP_crl_reason_str(Int(reason))) : nil)
      default: staple.status = .unknown
      }
    }
    staple.signatureProblem = verify(basic, chain: chain)
    return staple
  }

  private init(responseStatus: String) { self.responseStatus = responseStatus }

  /// The single response about `leaf`: by its full certificate ID when the issuer was served,
  /// else by serial number alone.
  private static func entry(for leaf: OpaquePointer, issuer: OpaquePointer?, in basic: OpaquePointer)
    -> OpaquePointer?
  {
    if let issuer, let id = OCSP_cert_to_id(nil, leaf, issuer) {
      defer { OCSP_CERTID_free(id) }
      let index = OCSP_resp_find(basic, id, -1)
      return index >= 0 ? OCSP_resp_get0(basic, index) : nil
    }
    let serial = X509_get_serialNumber(leaf)
    for index in 0..<max(OCSP_resp_count(basic), 0) {
      guard let single = OCSP_resp_get0(basic, index), let id = OCSP_SINGLERESP_get0_id(single) else {
        continue
      }
      var candidate: UnsafeMutablePointer<ASN1_INTEGER>?
      OCSP_id_get0_info(nil, nil, nil, &candidate, id)
      if let candidate, ASN1_INTEGER_cmp(candidate, serial) == 0 { return single }
    }
    return nil
  }

  /// Verifies the response's signature: made by the leaf's issuer, or by a responder certificate
  /// the issuer signed for OCSP. The served intermediates are the trust anchors (partial chain),
  /// since whether they chain to a root is `chainVerifies`'s question, not this one's.
  private static func verify(_ basic: OpaquePointer, chain: [X509Certificate]) -> String? {
    guard chain.count > 1 else { return "the server sent no issuer certificate to verify the signature with" }
    guard let store = X509_STORE_new(), let certificates = infraspec_x509_stack_new() else {
      return "OpenSSL: no certificate store"
    }
    defer {
      X509_STORE_free(store)
      infraspec_x509_stack_free(certificates)
    }
    var owned: [OpaquePointer] = []
    defer { owned.forEach { X509_free($0) } }
    for certificate in chain.dropFirst() {
      guard let pointer = try? X509Certificate.parse(certificate.der) else { continue }
      owned.append(pointer)
      X509_STORE_add_cert(store, pointer)
      _ = infraspec_x509_stack_push(certificates, pointer)
    }
    X509_STORE_set_flags(store, UInt(X509_V_FLAG_PARTIAL_CHAIN))
    ERR_clear_error()
    if OCSP_basic_verify(basic, certificates, store, UInt(OCSP_TRUSTOTHER)) == 1 { return nil }
    var reasons: [String] = []
    while case let error = ERR_get_error(), error != 0 {
      if let reason = ERR_reason_error_string(error) { reasons.append(String(cString: reason)) }
    }
    return "its signature does not verify against the served chain"
      + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))")
  }

  private static func seconds(_ time: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?) -> Int64? {
    var parts = tm()
    guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
    return Int64(timegm(&parts))
  }
}
