// libFuzzer entry point for the DNS message decoder; run.sh builds it with the wire-format sources only.

/// Decodes arbitrary bytes; a decoded message must print, re-encode and decode back to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func dnsMessageFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let message = try? DNSMessage(decoding: bytes) else { return 0 }
  _ = message.description
  let encoded = message.encode()
  if encoded.count <= 65535 {
    guard let again = try? DNSMessage(decoding: encoded) else {
      fatalError("re-encoded message does not decode: \(message)")
    }
    precondition(again == message, "re-encoded message decodes differently: \(message) vs \(again)")
  }
  return 0
}
