import Testing

@testable import InfraSpec

@Suite("TAP reporter")
struct TAPReporterTests {
  @Test("a description stays on one line and cannot start a directive, CR LF included")
  func escaping() {
    #expect(TAPReporter.escape("a\r\nb\nc\rd # SKIP \\") == "a  b c d \\# SKIP \\\\")
  }
}
