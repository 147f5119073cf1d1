import Testing

@_spi(Runner) @testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore
@testable import InfraSpecSockets
@testable import InfraSpecDNS
@testable import InfraSpecTransports
@testable import InfraSpecSSH
@testable import InfraSpecEdge
@_spi(Runner) @testable import InfraSpecReporters

@Suite("Ansible INI inventory")
struct InventoryTests {
  static let text = """
    # PoPs by region
    bastion ansible_host=203.0.113.9

    [us]
    lax1 ansible_host=198.51.100.1 ansible_port=2222 ansible_user=ops mtu=9000
    nyc[01:02] ansible_user="edge"

    [eu]
    fra1 ansible_host=198.51.100.3

    [pops:children]
    us
    eu

    [pops:vars]
    ansible_user=root
    """

  @Test("hosts, groups through :children, variables with host lines winning over group vars, ranges")
  func parse() throws {
    let inventory = try Inventory.parse(Self.text)
    #expect(inventory.hosts.map(\.name) == ["bastion", "lax1", "nyc01", "nyc02", "fra1"])
    let lax1 = try #require(inventory.hosts.first { $0.name == "lax1" })
    #expect(lax1.address == "198.51.100.1" && lax1.port == 2222 && lax1.user == "ops")
    #expect(lax1.groups == ["all", "us", "pops"])
    #expect(lax1.variables["mtu"] == "9000")
    #expect(inventory.hosts.first { $0.name == "fra1" }?.user == "root")
    #expect(inventory.hosts.first { $0.name == "nyc02" }?.user == "edge")
    #expect(inventory.hosts.first { $0.name == "bastion" }?.groups == ["all"])
  }

  @Test("--limit takes groups, globs, exclusions and intersections")
  func limit() throws {
    let inventory = try Inventory.parse(Self.text)
    #expect(inventory.limited(to: "eu").map(\.name) == ["fra1"])
    #expect(inventory.limited(to: "pops:!nyc*").map(\.name) == ["lax1", "fra1"])
    #expect(inventory.limited(to: "all,&us").map(\.name) == ["lax1", "nyc01", "nyc02"])
    #expect(inventory.limited(to: "l?x1").map(\.name) == ["lax1"])
  }

  @Test("mistakes name their line")
  func errors() {
    #expect(
      throws: Inventory.ParseError(line: 2, message: "unknown section kind :hosts2 (use :children or :vars)")
    ) {
      try Inventory.parse("a\n[x:hosts2]\n")
    }
    #expect(throws: Inventory.ParseError(line: 1, message: "expected key=value, got novalue")) {
      try Inventory.parse("a novalue\n")
    }
  }

  @Test("nested ranges stop at the host limit at once instead of expanding 10^8 names")
  func nestedRanges() {
    let start = ContinuousClock.now
    #expect(
      throws: Inventory.ParseError(line: 1, message: "h[0:9999][0:9999] names more than 10000 hosts")
    ) {
      try Inventory.parse("h[0:9999][0:9999]\n")
    }
    #expect(throws: Inventory.ParseError(line: 2, message: "the inventory names more than 10000 hosts")) {
      try Inventory.parse("a[0:9999]\nb[0:9]\n")
    }
    #expect(ContinuousClock.now - start < .seconds(1))
  }

  @Test("--limit globs with many stars match in linear time")
  func manyStars() throws {
    let inventory = Inventory(hosts: [
      .init(name: String(repeating: "a", count: 60), address: "x", groups: ["all"], variables: [:])
    ])
    let start = ContinuousClock.now
    #expect(inventory.limited(to: "*a*a*a*a*a*a*a*a*b").isEmpty)
    #expect(inventory.limited(to: "a*a*a*a*a*a*a*a*").count == 1)
    #expect(ContinuousClock.now - start < .milliseconds(100))
  }
}
