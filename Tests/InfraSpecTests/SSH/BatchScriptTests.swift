import Testing

@testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite("Batch script records")
struct BatchScriptTests {
  private static let nonce = "5eed"

  /// What the script prints for one probe: its stdout and stderr, each ended by a marker.
  private func record(_ index: Int, _ status: Int32, _ stdout: String, _ stderr: String, state: String = "0")
    -> (stdout: [UInt8], stderr: [UInt8])
  {
    (
      Array("\(stdout)\n#IS2 \(Self.nonce) e \(index) \(status) \(state)\n".utf8),
      Array("\(stderr)\n#IS2 \(Self.nonce) e \(index)\n".utf8)
    )
  }

  private var sync: [UInt8] { Array("\n#IS2 \(Self.nonce) s\n".utf8) }

  @Test("records split at any byte boundary; rc-file noise before the first is skipped")
  func splitAnywhere() {
    let first = record(0, 0, "\n#IS2 other e 5 5 5\n", "")
    let second = record(1, 2, "", "err", state: "1")
    let stdout = Array("Welcome from .bashrc\n".utf8) + sync + first.stdout + second.stdout
    // Begin markers on stderr name each probe's process group, wherever they land in its output.
    let begin = Array("\n#IS2 \(Self.nonce) b 1 4242\n".utf8)
    let stderr =
      Array("motd\n".utf8) + sync + first.stderr + Array("e".utf8) + begin + second.stderr.dropFirst()
    for cut in 0...stdout.count {
      var parser = BatchRecordParser(nonce: Self.nonce)
      var records = parser.feedStdout(stdout[..<cut])
      records += parser.feedStderr(stderr[..<min(cut, stderr.count)])
      records += parser.feedStdout(stdout[cut...])
      records += parser.feedStderr(stderr[min(cut, stderr.count)...])
      #expect(
        records.sorted { $0.index < $1.index } == [
          BatchRecord(
            index: 0, exitStatus: 0, state: .ran, stdout: Array("\n#IS2 other e 5 5 5\n".utf8), stderr: []),
          BatchRecord(index: 1, exitStatus: 2, state: .timedOut, stdout: [], stderr: Array("err".utf8)),
        ])
      #expect(String(decoding: parser.scriptErrors, as: UTF8.self) == "motd\n")
    }
  }

  @Test("a broken frame is reported, not guessed")
  func corruption() {
    var parser = BatchRecordParser(nonce: Self.nonce)
    _ = parser.feedStdout(sync + Array("a\n#IS2 \(Self.nonce) e zero\n".utf8))
    #expect(parser.corruption == "batch output has a malformed record header")
  }

  @Test("output past the limit is dropped on arrival and the probe says why")
  func outputLimit() {
    var parser = BatchRecordParser(nonce: Self.nonce, limit: 1000)
    var records = parser.feedStdout(sync)
    records += parser.feedStderr(sync + Array("\n#IS2 \(Self.nonce) b 0 4242\n".utf8))
    for _ in 0..<100 { records += parser.feedStdout([UInt8](repeating: 65, count: 500)) }
    // The host is asked, once, to kill the probe's process group.
    #expect(parser.takeKillRequests() == [4242])
    #expect(parser.takeKillRequests() == [])
    let end = record(0, 0, "", "")
    records += parser.feedStdout(end.stdout) + parser.feedStderr(end.stderr)
    #expect(records.count == 1)
    #expect(records.first?.stdout.count == 1000)
    #expect(records.first?.tooLarge == true)
    let command = ProbeCommand(["yes"])
    #expect(
      BatchScript.result(of: records[0], command: command, timeout: .seconds(1), sudo: nil)
        == .failure(.other("output of yes exceeds 64 MiB")))
  }

  @Test("only the wrapper's own 'not found' is commandNotFound; a command's own 127 is its output")
  func notFound() {
    let command = ProbeCommand(["sh", "-c", "echo 'x: not found' >&2; exit 127"])
    let own = BatchRecord(
      index: 0, exitStatus: 127, state: .ran, stdout: [], stderr: Array("x: not found\n".utf8))
    #expect(
      BatchScript.result(of: own, command: command, timeout: .seconds(1), sudo: nil)
        == .success(CommandOutput(exitStatus: 127, stdout: [], stderr: Array("x: not found\n".utf8))))
    let wrapper = BatchRecord(index: 0, exitStatus: 127, state: .notFound, stdout: [], stderr: [])
    #expect(
      BatchScript.result(of: wrapper, command: ProbeCommand(["nope"]), timeout: .seconds(1), sudo: nil)
        == .failure(.commandNotFound("nope")))
  }

  @Test(
    "timeouts become seconds sleep accepts",
    arguments: [
      (Duration.seconds(5), "5"), (.milliseconds(250), "0.250"), (.milliseconds(1500), "1.500"),
    ])
  func seconds(duration: Duration, text: String) {
    #expect(BatchScript.seconds(duration) == text)
  }

  @Test("every argument is quoted by ShellQuoting; stdin is printf text; no file is written on the host")
  func scriptLines() {
    let script = String(
      decoding: BatchScript.script(
        for: [ProbeCommand(["printf", "%s", "; rm -rf /"], stdin: [1, 0, 65, 10])], timeout: .seconds(3),
        sudo: nil, nonce: Self.nonce),
      as: UTF8.self)
    #expect(
      script.hasSuffix(
        "\nr 0 3 printf '\\0001\\0000A\\0012' printf %s '; rm -rf /'\nkill -KILL \"$g\" 2>/dev/null\nexit 0\n}\n"
      ))
    for helper in ["mktemp", "base64", " cat ", ">\"$d", "wc "] { #expect(!script.contains(helper)) }
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

  @Test("a probe error prints as its message, never as a Swift enum dump")
  func noEnumDumps() {
    let error = ProbeError.connection("ssh to lax1 failed")
    #expect("\(error)" == "ssh to lax1 failed")
    #expect(
      "\(ProbeError.timedOut(command: "sleep 9", after: .seconds(1)))" == "timed out after 1s running sleep 9"
    )
  }
}
