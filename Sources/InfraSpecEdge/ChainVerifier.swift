@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecTransports
internal import COpenSSL

/// Verifies a served chain with OpenSSL against trust anchors read from a CA file, at a given time.
package enum ChainVerifier {
  /// nil when the chain verifies; otherwise which certificate failed and why, in OpenSSL's words.
  package static func problem(chain: [X509Certificate], anchors: [X509Certificate], at time: Int64) -> String?
  {
    guard let leafCertificate = chain.first else { return "the server sent no certificate" }
    guard !anchors.isEmpty else { return "the CA file holds no certificate" }
    guard let store = X509_STORE_new() else { return "OpenSSL could not make a certificate store" }
    defer { X509_STORE_free(store) }
    var owned: [OpaquePointer] = []
    defer { owned.forEach { X509_free($0) } }
    func load(_ certificate: X509Certificate) -> OpaquePointer? {
      guard let pointer = try? X509Certificate.parse(certificate.der) else { return nil }
      owned.append(pointer)
      return pointer
    }
    for anchor in anchors {
      guard let pointer = load(anchor) else { return "unreadable CA certificate \(anchor.name)" }
      X509_STORE_add_cert(store, pointer)
    }
    guard let leaf = load(leafCertificate), let untrusted = infraspec_x509_stack_new() else {
      return "unreadable leaf certificate"
    }
    defer { infraspec_x509_stack_free(untrusted) }
    for certificate in chain.dropFirst() {
      guard let pointer = load(certificate) else { return "unreadable certificate \(certificate.name)" }
      infraspec_x509_stack_push(untrusted, pointer)
    }
    guard let context = X509_STORE_CTX_new() else { return "OpenSSL could not make a verification context" }
    defer { X509_STORE_CTX_free(context) }
    guard X509_STORE_CTX_init(context, store, leaf, untrusted) == 1 else {
      return "OpenSSL could not start verification"
    }
    X509_STORE_CTX_set_time(context, 0, time_t(time))
    if X509_verify_cert(context) == 1 { return nil }
    let code = X509_STORE_CTX_get_error(context)
    let reason = String(cString: X509_verify_cert_error_string(Int(code)))
    let depth = Int(X509_STORE_CTX_get_error_depth(context))
    let which = depth < chain.count ? chain[depth].name : "certificate \(depth)"
    return "\(which): \(reason)"
  }
}
