import Foundation
import Testing

/// `infraspec capture` on this machine, each command inside a fresh network namespace
/// (`unshare -n`, loopback up) so the interfaces, routes and ports captured are not the other
/// tests' sshds and bridges.
@Suite("infraspec capture on this machine")
struct CaptureCommandTests {
  static let isolated = ["unshare", "-n", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"]

  /// A folder with names a host could hold and a spec must survive, and one secret.
  static func hostileFolder(secret: String) throws -> String {
    let folder = NSTemporaryDirectory() + "infraspec-capture-\(UUID().uuidString)"
    let script = #"""
      set -e
      cd "$1"
      mkdir -m 0750 'sub dir'
      printf '%s\n' "$2" > 'sub dir/service.key'
      chmod 0600 'sub dir/service.key'
      printf 'plain\n' > 'quote"d'
      printf 'plain\n' > 'back\slash'
      printf 'plain\n' > "$(printf 'new\nline')"
      printf 'plain\n' > "$(printf 'esc\033[31mred')"
      printf 'plain\n' > 'dollar$(touch pwned)'
      printf 'plain\n' > 'interp\(x)'
      printf 'plain\n' > 'café'
      printf 'plain\n' > "$(printf 'not\377utf8')"
      ln -s "$(printf 'target "with\\ quotes\nand a newline')" 'link'
      """#
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Shell.must(["sh", "-c", script, "sh", folder, secret])
    return folder
  }

  @Test("hostile file names give a spec that compiles and passes here; it holds no file content")
  func roundTrip() throws {
    let secret = "infraspec-secret-\(UUID().uuidString)"
    let folder = try Self.hostileFolder(secret: secret)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let root = try CLI.workspace([:])
    let capture = try CLI.run(
      ["capture", "--only", "interfaces,routes,ports,users,files:\(folder),sysctls,packages"], in: root,
      wrapper: Self.isolated)
    #expect(capture.status == 0, "\(capture.stderr)")
    let spec = capture.stdout
    #expect(!spec.contains(secret), "file content leaked into the spec")
    #expect(!spec.contains("plain"), "file content leaked into the spec")
    // Each hostile name is one escaped literal; nothing raw reaches the file.
    for literal in [
      #"File("\#(folder)/quote\"d").isFile()"#, #"File("\#(folder)/back\\slash").isFile()"#,
      #"File("\#(folder)/new\nline").isFile()"#, #"File("\#(folder)/esc\u{1B}[31mred").isFile()"#,
      #"File("\#(folder)/interp\\(x)").isFile()"#, #"File("\#(folder)/caf\u{E9}").isFile()"#,
      #"File("\#(folder)/dollar$(touch pwned)").isFile()"#,
      #".linksTo("target \"with\\ quotes\nand a newline")"#,
      #"File("\#(folder)/sub dir").isDirectory().mode(0o750).owner("root").group("root")"#,
      #"File("\#(folder)/sub dir/service.key").isFile().mode(0o600).owner("root").group("root").sha256(""#,
      "// 1 path(s) that are not UTF-8 left out",
      #"Interface("lo").isUp().mtu(65536).mac("00:00:00:00:00:00").hasAddress("127.0.0.1/8").hasAddress("::1/128")"#,
      #"User("root").exists().uid(0).gid(0).home("/root")"#,
      #"Package("base-files").isInstalled().version(""#,
      #"Sysctl("net.ipv4.ip_forward").value("0")"#,
    ] {
      #expect(spec.contains(literal), "missing \(literal) in:\n\(spec)")
    }
    #expect(!spec.unicodeScalars.contains("\u{1B}"), "a raw terminal escape reached the spec")
    // Every plain file has its digest, also those whose names make sha256sum escape its output.
    let plain = String(try Shell.must(["sh", "-c", "printf 'plain\\n' | sha256sum"]).prefix(64))
    #expect(spec.components(separatedBy: ".sha256(\"\(plain)\")").count - 1 == 7, "\(spec)")

    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("Specs"), withIntermediateDirectories: true)
    try spec.write(to: root.appendingPathComponent("Specs/captured.swift"), atomically: true, encoding: .utf8)
    let run = try CLI.run(
      ["run", "Specs/captured.swift", "--format", "tap"], in: root, wrapper: Self.isolated)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    #expect(!run.stdout.contains("not ok"), "\(run.stdout)")
    #expect(FileManager.default.fileExists(atPath: folder + "/quote\"d"))
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("pwned").path))

    // The same owner and mode with other content: only that file's digest fails.
    try Shell.must(["sh", "-c", "printf 'rotated\\n' > \"$1/sub dir/service.key\"", "sh", folder])
    let changed = try CLI.run(
      ["run", "Specs/captured.swift", "--format", "tap"], in: root, wrapper: Self.isolated)
    #expect(changed.status == 1, "\(changed.stdout)\(changed.stderr)")
    let failing = changed.stdout.split(separator: "\n").filter {
      $0.hasPrefix("not ok") || $0.hasPrefix("    not ok")
    }
    #expect(failing.count == 1, "\(failing)")
    #expect(failing.first?.contains("file \(folder)/sub dir/service.key: sha256 ") == true, "\(failing)")
  }

  @Test("usage mistakes exit 64 with a message; an unreachable host exits 2")
  func mistakes() throws {
    let root = try CLI.workspace([:])
    let unknown = try CLI.run(["capture", "--only", "interface"], in: root)
    #expect(unknown.status == 64)
    #expect(unknown.stderr.contains("--only: unknown kind \"interface\""), "\(unknown.stderr)")
    let two = try CLI.run(["capture", "--host", "a.invalid", "--host", "b.invalid"], in: root)
    #expect(two.status == 64)
    #expect(two.stderr.contains("capture writes the spec of one host; 2 are selected"), "\(two.stderr)")
    let closed = try CLI.run(
      ["capture", "--host", "root@127.0.0.1:1", "--connect-timeout", "2", "--only", "interfaces"], in: root)
    #expect(closed.status == 2, "\(closed.stderr)")
    #expect(closed.stderr.hasPrefix("infraspec: cannot capture root@127.0.0.1:1: "), "\(closed.stderr)")
    #expect(closed.stdout.isEmpty)
  }
}

/// DNS answers as the host's resolver sees them: BIND on 127.0.0.1:53 inside a private network
/// and mount namespace whose `/etc/resolv.conf` (bind-mounted there only) names it.
@Suite("infraspec capture of DNS answers")
struct CaptureDNSTests {
  static let script = #"""
    set -e
    dir=$1; shift
    ip link set lo up
    mount --bind "$dir/resolv.conf" /etc/resolv.conf
    named -c "$dir/named.conf" -u root
    for _ in $(seq 100); do
      [ -s "$dir/named.pid" ] && ss -lun | grep -q '127.0.0.1:53 ' && break
      sleep 0.1
    done
    status=0
    "$@" capture --only "dns:www.capture.test,dns:missing.capture.test" > "$dir/Specs/dns.swift" || status=$?
    if [ $status -eq 0 ]; then
      "$@" run Specs/dns.swift --format tap > "$dir/run.tap" || status=$?
    fi
    kill "$(cat "$dir/named.pid")"
    exit $status
    """#

  @Test("each name's A and AAAA answers from the resolv.conf nameserver; the spec passes against it")
  func answers() throws {
    let root = try CLI.workspace([:])
    let dir = root.path
    try FileManager.default.createDirectory(atPath: dir + "/Specs", withIntermediateDirectories: true)
    try "nameserver 127.0.0.1\n".write(toFile: dir + "/resolv.conf", atomically: true, encoding: .utf8)
    try """
    options { directory "\(dir)"; pid-file "\(dir)/named.pid"; listen-on port 53 { 127.0.0.1; };
      listen-on-v6 { none; }; recursion no; dnssec-validation no; };
    zone "capture.test" { type primary; file "\(dir)/capture.test.zone"; };
    """.write(toFile: dir + "/named.conf", atomically: true, encoding: .utf8)
    try """
    $TTL 300
    @ SOA ns hostmaster 1 3600 600 86400 300
    @ NS ns
    ns A 127.0.0.1
    www A 192.0.2.80
    www A 192.0.2.81
    www AAAA 2001:db8::80

    """.write(toFile: dir + "/capture.test.zone", atomically: true, encoding: .utf8)
    let result = try Shell.run(
      ["unshare", "-m", "-n", "sh", "-c", Self.script, "sh", dir, CLI.infraspec], in: root,
      environment: ["XDG_CACHE_HOME": CLI.cacheDirectory])
    let spec = (try? String(contentsOfFile: dir + "/Specs/dns.swift", encoding: .utf8)) ?? ""
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)\(spec)")
    for line in [
      #"DNS("www.capture.test", .a, server: "127.0.0.1").answers("192.0.2.80", "192.0.2.81")"#,
      #"DNS("www.capture.test", .aaaa, server: "127.0.0.1").answers("2001:db8::80")"#,
      #"DNS("missing.capture.test", .a, server: "127.0.0.1").rcode(.nxDomain)"#,
    ] {
      #expect(spec.contains(line), "missing \(line) in:\n\(spec)")
    }
    let tap = (try? String(contentsOfFile: dir + "/run.tap", encoding: .utf8)) ?? ""
    #expect(tap.contains("# 4 passed, 0 failed"), "\(tap)")
  }
}
