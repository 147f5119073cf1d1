@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters
#if canImport(Glibc)
  internal import Glibc
#endif

/// A key in a GnuPG home as `gpg --with-colons` lists it, with which of its keys have a secret.
struct GPGKeyFacts: Sendable {
  /// The primary key or one subkey.
  struct Key: Sendable {
    var fingerprint: String
    var keygrip: String
    /// gpg's validity letter: `r` revoked, `e` expired, `i` invalid, others usable.
    var validity: Character
    var created: Int64
    /// nil: never expires.
    var expires: Int64?
    /// Lowercase usage flags of this key: `e` encrypt, `s` sign, `c` certify, `a` authenticate.
    var capabilities: String
    var hasSecret: Bool

    var isRevoked: Bool { validity == "r" }
    func isExpired(at now: Int64) -> Bool { validity == "e" || (expires.map { $0 <= now } ?? false) }
  }

  var primary: Key
  var subkeys: [Key]
  var userIDs: [String]
  var checkedAt: Int64
}

/// `gpg --list-keys` that never changes the keyring: no lock files (`--lock-never`), no trust
/// database check or creation (`--no-auto-check-trustdb`, `--trust-model always`), and never run
/// on a home without a public keyring (gpg would create one there).
enum GPGKeyProbe {
  static let listScript = """
    home=${1:-$HOME/.gnupg}; shift
    [ -d "$home" ] || { echo "no such GnuPG home directory: $home" >&2; exit 3; }
    [ -e "$home/pubring.kbx" ] || [ -e "$home/pubring.gpg" ] || { echo "no public keyring in $home" >&2; exit 4; }
    exec gpg --homedir "$home" --batch --no-tty --lock-never --no-auto-check-trustdb --trust-model always \\
      --no-permission-warning --with-colons --fixed-list-mode --with-keygrip --list-keys -- "$@"
    """

  static func list(_ fingerprint: String, homedir: String) -> ProbeCommand {
    ProbeCommand(["sh", "-c", listScript, "sh", homedir, fingerprint])
  }

  static func secrets(homedir: String) -> ProbeCommand {
    ProbeCommand(["sh", "-c", "exec ls -1 -- \"${1:-$HOME/.gnupg}/private-keys-v1.d\"", "sh", homedir])
  }

  static func plan(_ fingerprint: String, homedir: String) -> FactPlanner {
    { _ throws(ProbeError) in
      let (list, secrets) = (list(fingerprint, homedir: homedir), secrets(homedir: homedir))
      return FactPlan(commands: [list, secrets]) { outputs throws(ProbeError) in
        let listed = try outputs.output(list)
        switch listed.exitStatus {
        case 0: break
        case 4: return .absent("no public keyring in \(homedir)")
        case 2 where listed.stderrText.contains("No public key"): return .absent("no such key")
        default: throw .other(listed.stderrText.trimmingWhitespace())
        }
        let secretOutput = try outputs.output(secrets)
        let grips = Set(
          secretOutput.exitStatus == 0
            ? secretOutput.stdoutText.split(separator: "\n").compactMap { line in
              line.hasSuffix(".key") ? String(line.dropLast(4)).uppercased() : nil
            } : [])
        return .present(try parse(listed.stdoutText, wanted: fingerprint, secretGrips: grips, command: list))
      }
    }
  }

  /// The host's listing of the key, and the key server's copy of it (HKP `op=get`, fetched from
  /// the host's point of view, read by this machine's `gpg --show-keys` in a throwaway home).
  static func withKeyServer(_ fingerprint: String, homedir: String, server: String) -> FactPlanner {
    { profile throws(ProbeError) in
      let local = try plan(fingerprint, homedir: homedir)(profile)
      let wanted = fingerprint.filter { $0 != " " }.uppercased()
      let base = server.hasSuffix("/") ? String(server.dropLast()) : server
      let url = "\(base)/pks/lookup?op=get&options=mr&search=0x\(wanted)"
      let query = NetworkQuery(description: "curl GET \(TextMatch.show(url)) | gpg --show-keys") {
        transport in
        do throws(ProbeError) {
          let response = try await HTTPProbe.fetch(url, on: transport, timeout: .seconds(10))
          guard response.status == 200 else {
            return .success(KeyServerCopy(key: nil, status: response.status))
          }
          let shown = try await LocalTransport().run(
            ProbeCommand(["sh", "-c", showScript], stdin: response.body), timeout: .seconds(10))
          guard shown.exitStatus == 0 else {
            throw ProbeError.other(
              "gpg --show-keys on this machine: \(shown.stderrText.trimmingWhitespace())")
          }
          let command = ProbeCommand(["gpg", "--show-keys"])
          return .success(
            KeyServerCopy(
              key: try parse(shown.stdoutText, wanted: wanted, secretGrips: [], command: command), status: 200
            ))
        } catch {
          return .failure(error)
        }
      }
      return FactPlan(commands: local.commands, queries: [query]) { outputs throws(ProbeError) in
        guard case .present(let facts as GPGKeyFacts) = try local.read(outputs) else {
          return .absent("no such key")
        }
        guard let copy = try outputs.answer(query) as? KeyServerCopy else {
          throw .other("internal: no key server copy")
        }
        return .present(KeyServerComparison(host: facts, server: copy))
      }
    }
  }

  /// `gpg --show-keys` reads a key from stdin without importing it; the home is a fresh temporary
  /// directory of this machine, removed afterwards.
  static let showScript = """
    home=$(mktemp -d) || exit 1
    gpg --homedir "$home" --batch --no-tty --with-colons --fixed-list-mode --with-keygrip --show-keys
    status=$?
    gpgconf --homedir "$home" --kill all 2>/dev/null
    rm -rf "$home"
    exit $status
    """

  /// The key whose primary fingerprint is `wanted` from `--with-colons --fixed-list-mode` output.
  static func parse(_ text: String, wanted: String, secretGrips: Set<String>, command: ProbeCommand)
    throws(ProbeError) -> GPGKeyFacts
  {
    var keys: [(primary: GPGKeyFacts.Key, subkeys: [GPGKeyFacts.Key], uids: [String])] = []
    var current: GPGKeyFacts.Key?
    var currentIsSubkey = false
    func finish() {
      guard let key = current else { return }
      current = nil
      if currentIsSubkey, let last = keys.indices.last {
        keys[last].subkeys.append(key)
      } else {
        keys.append((key, [], []))
      }
    }
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
      switch fields.first {
      case "pub", "sub":
        finish()
        currentIsSubkey = fields[0] == "sub"
        guard fields.count > 11 else {
          throw .unexpectedOutput(command: command.description, detail: String(line))
        }
        current = GPGKeyFacts.Key(
          fingerprint: "", keygrip: "", validity: fields[1].first ?? "-", created: Int64(fields[5]) ?? 0,
          expires: Int64(fields[6]), capabilities: fields[11].filter(\.isLowercase), hasSecret: false)
      case "fpr" where fields.count > 9 && current?.fingerprint == "":
        current?.fingerprint = fields[9].uppercased()
      case "grp" where fields.count > 9 && current?.keygrip == "":
        current?.keygrip = fields[9].uppercased()
        current?.hasSecret = secretGrips.contains(fields[9].uppercased())
      case "uid" where fields.count > 9:
        finish()
        if let last = keys.indices.last { keys[last].uids.append(fields[9]) }
      default: break
      }
    }
    finish()
    let normalized = wanted.filter { $0 != " " }.uppercased()
    guard let found = keys.first(where: { $0.primary.fingerprint == normalized }) else {
      throw .other(
        "no key with the full fingerprint \(normalized) (pin the whole 40-character fingerprint; gpg listed "
          + keys.map(\.primary.fingerprint).joined(separator: ", ") + ")")
    }
    return GPGKeyFacts(
      primary: found.primary, subkeys: found.subkeys, userIDs: found.uids, checkedAt: Int64(time(nil)))
  }
}

/// What the key server answered for a fingerprint.
struct KeyServerCopy: Sendable {
  var key: GPGKeyFacts?
  var status: Int
}

/// The host's key and the key server's copy, side by side.
struct KeyServerComparison: Sendable {
  var host: GPGKeyFacts
  var server: KeyServerCopy
}
