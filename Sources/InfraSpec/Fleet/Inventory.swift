@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// Hosts and groups from an Ansible INI inventory, the form ops teams already keep.
///
///     [us]
///     lax1 ansible_host=198.51.100.1 ansible_user=ops
///     [pops:children]
///     us
@_spi(Runner)
public struct Inventory: Sendable, Equatable {
  /// One host line, with the groups it belongs to directly or through `:children`.
  public struct Host: Sendable, Equatable, Codable {
    public var name: String
    public var address: String
    public var port: Int?
    public var user: String?
    public var groups: Set<String>
    public var variables: [String: String]
  }

  public var hosts: [Host]

  /// What is wrong with an inventory, with the line that says it.
  public struct ParseError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
  }

  public init(hosts: [Host]) { self.hosts = hosts }

  /// More hosts than this in one inventory is a mistake (a range typed wrong), not a fleet.
  public static let maximumHosts = 10_000

  /// Parses the INI form: `[group]`, `[group:children]`, `[group:vars]`, host lines with
  /// `key=value` variables, numeric ranges (`web[01:03]`), comments with `#` or `;`.
  public static func parse(_ text: String) throws(ParseError) -> Inventory {
    var order: [String] = []
    var hostVariables: [String: [String: String]] = [:]
    var directGroups: [String: Set<String>] = [:]
    var children: [String: Set<String>] = [:]
    var groupVariables: [String: [String: String]] = [:]
    var section = (name: "ungrouped", kind: "hosts")

    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let number = index + 1
      let line = rawLine.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("[") {
        guard line.hasSuffix("]"), line.count > 2 else {
          throw ParseError(line: number, message: "a section header must look like [group]: \(line)")
        }
        let header = line.dropFirst().dropLast().split(separator: ":", maxSplits: 1).map(String.init)
        let kind = header.count == 2 ? header[1] : "hosts"
        guard ["hosts", "children", "vars"].contains(kind) else {
          throw ParseError(line: number, message: "unknown section kind :\(kind) (use :children or :vars)")
        }
        section = (header[0], kind)
        continue
      }
      let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
      switch section.kind {
      case "children":
        children[section.name, default: []].insert(words[0])
      case "vars":
        let (key, value) = try keyValue(line, line: number)
        groupVariables[section.name, default: [:]][key] = value
      default:
        var variables: [String: String] = [:]
        for word in words.dropFirst() {
          let (key, value) = try keyValue(word, line: number)
          variables[key] = value
        }
        for name in try expand(words[0], line: number) {
          if hostVariables[name] == nil { order.append(name) }
          if order.count > maximumHosts {
            throw ParseError(line: number, message: "the inventory names more than \(maximumHosts) hosts")
          }
          hostVariables[name, default: [:]].merge(variables) { $1 }
          if section.name != "ungrouped" { directGroups[name, default: []].insert(section.name) }
        }
      }
    }

    // A group's children's hosts belong to it too, transitively.
    func ancestors(of group: String, seen: Set<String> = []) -> Set<String> {
      var result: Set<String> = [group]
      for (parent, kids) in children where kids.contains(group) && !seen.contains(parent) {
        result.formUnion(ancestors(of: parent, seen: seen.union([group])))
      }
      return result
    }
    let hosts = order.map { name in
      let groups = (directGroups[name] ?? []).reduce(into: Set(["all"])) { $0.formUnion(ancestors(of: $1)) }
      // Group variables apply first, then the host's own line overrides them.
      var variables: [String: String] = [:]
      for group in groups.sorted() { variables.merge(groupVariables[group] ?? [:]) { $1 } }
      variables.merge(hostVariables[name] ?? [:]) { $1 }
      return Host(
        name: name, address: variables["ansible_host"] ?? name,
        port: variables["ansible_port"].flatMap { Int($0) },
        user: variables["ansible_user"], groups: groups, variables: variables)
    }
    return Inventory(hosts: hosts)
  }

  /// The hosts `pattern` selects: comma- or colon-separated group names or host globs
  /// (`*`, `?`), `!x` to exclude, `&x` to intersect, as Ansible's `--limit` reads them.
  public func limited(to pattern: String) -> [Host] {
    var selected: [Host] = []
    var intersections: [String] = []
    var exclusions: [String] = []
    for term in pattern.split(whereSeparator: { $0 == "," || $0 == ":" }).map(String.init) {
      if term.hasPrefix("!") {
        exclusions.append(String(term.dropFirst()))
      } else if term.hasPrefix("&") {
        intersections.append(String(term.dropFirst()))
      } else {
        for host in hosts where matches(host, term) && !selected.contains(host) { selected.append(host) }
      }
    }
    return selected.filter { host in
      intersections.allSatisfy { matches(host, $0) } && !exclusions.contains { matches(host, $0) }
    }
  }

  private func matches(_ host: Host, _ term: String) -> Bool {
    host.groups.contains(term) || Glob.matches(term, host.name)
  }

  private static func keyValue(_ text: String, line: Int) throws(ParseError) -> (String, String) {
    guard let equals = text.firstIndex(of: "=") else {
      throw ParseError(line: line, message: "expected key=value, got \(text)")
    }
    var value = text[text.index(after: equals)...].trimmingWhitespace()
    if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
      value = String(value.dropFirst().dropLast())
    }
    return (text[..<equals].trimmingWhitespace(), value)
  }

  /// `web[01:03].example.com` → web01…web03, keeping the leading zeros' width.
  private static func expand(_ pattern: String, line: Int) throws(ParseError) -> [String] {
    guard let open = pattern.firstIndex(of: "["), let close = pattern.firstIndex(of: "]"), open < close else {
      return [pattern]
    }
    let bounds = pattern[pattern.index(after: open)..<close].split(separator: ":")
    guard bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low <= high,
      high - low < 10_000
    else {
      throw ParseError(line: line, message: "a host range must look like name[01:10]: \(pattern)")
    }
    let width = bounds[0].count
    let prefix = pattern[..<open]
    let suffix = pattern[pattern.index(after: close)...]
    var names: [String] = []
    for number in low...high {
      names += try expand("\(prefix)\(String(number).leftPadded(to: width))\(suffix)", line: line)
      // Nested ranges multiply: stop as soon as the product passes the limit, not after it.
      if names.count > maximumHosts {
        throw ParseError(line: line, message: "\(pattern) names more than \(maximumHosts) hosts")
      }
    }
    return names
  }
}
