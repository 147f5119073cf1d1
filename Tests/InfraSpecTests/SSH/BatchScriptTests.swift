import Testing

@testable import InfraSpec

@Suite("Batch script records")
struct BatchScriptTests {
  private func record(
    _ index: Int, _ status: Int32, _ stdout: String, _ stderr: String, timedOut: Bool = false
  ) -> [UInt8] {
    Array(
      "\n#IS1 \(index) \(status) \(timedOut ? 1 : 0) \(stdout.utf8.count) \(stderr.utf8.count)\n\(stdout)\(stderr)"
        .utf8)
  }

  @Test("records split at any byte boundary; rc-file noise before the first is skipped")
  func splitAnywhere() {
    let stream =
      Array("Welcome from .bashrc\n".utf8) + record(0, 0, "\n#IS1 5 5 5 5 5\n", "")
      + record(1, 2, "", "err", timedOut: true)
    for cut in 0...stream.count {
      var parser = BatchRecordParser()
      let records = parser.feed(stream[..<cut]) + parser.feed(stream[cut...])
      #expect(
        records == [
          BatchRecord(
            index: 0, exitStatus: 0, timedOut: false, stdout: Array("\n#IS1 5 5 5 5 5\n".utf8), stderr: []),
          BatchRecord(index: 1, exitStatus: 2, timedOut: true, stdout: [], stderr: Array("err".utf8)),
        ])
    }
  }

  @Test("a broken frame is reported, not guessed")
  func corruption() {
    var parser = BatchRecordParser()
    _ = parser.feed(record(0, 0, "a", "") + Array("garbage".utf8))
    #expect(parser.corruption == "batch output lost its framing at byte 17")
  }

  @Test(
    "timeouts become seconds sleep accepts",
    arguments: [
      (Duration.seconds(5), "5"), (.milliseconds(250), "0.250"), (.milliseconds(1500), "1.500"),
    ])
  func seconds(duration: Duration, text: String) {
    #expect(BatchScript.seconds(duration) == text)
  }

  @Test("every argument is quoted by ShellQuoting; stdin travels as base64")
  func scriptLines() {
    let script = String(
      decoding: BatchScript.script(
        for: [ProbeCommand(["printf", "%s", "; rm -rf /"], stdin: [1, 2])], timeout: .seconds(3), sudo: nil),
      as: UTF8.self)
    #expect(
      script.hasSuffix(
        "\nr 0 3 printf AQI= printf %s '; rm -rf /' >\"$d/r0\" &\nwait\ncat \"$d/r0\"\nrm -f \"$d/r0\"\nexit 0\n"
      ))
  }

  @Test("sudo wraps with -n, or -S with the password on stdin, and explains its refusals")
  func sudo() {
    let plain = SudoOptions(user: "postgres", environment: [:])
    #expect(
      plain.wrap(ProbeCommand(["id", "-u"])).argv == ["sudo", "-n", "-u", "postgres", "--", "id", "-u"])
    let withPassword = SudoOptions(environment: ["INFRASPEC_SUDO_PASSWORD": "pw"])
    let wrapped = withPassword.wrap(ProbeCommand(["id"], stdin: [7]))
    #expect(
      wrapped.argv == [
        "sh", "-c", "IFS= read -r p; printf '%s\\n' \"$p\" | sudo -S -p '' -v && exec \"$@\"", "sh", "sudo",
        "-n", "--", "id",
      ])
    #expect(wrapped.stdin == Array("pw\n".utf8) + [7])
    #expect(
      plain.failure(exitStatus: 1, stderr: "sudo: a password is required\n")
        == "sudo asked for a password: set INFRASPEC_SUDO_PASSWORD or allow NOPASSWD for this user")
  }
}
