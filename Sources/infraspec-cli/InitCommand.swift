internal import ArgumentParser
internal import FoundationEssentials

/// `infraspec init`: a `Specs/` folder whose example passes on this machine.
struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init", abstract: "Create Specs/ with an example spec and a Support/ helper.")

  @Option(help: "Folder to create.")
  var directory = "Specs"

  func run() throws {
    let manager = FileManager.default
    let example = directory + "/example.swift"
    let helper = directory + "/Support/Helpers.swift"
    for path in [example, helper] where manager.fileExists(atPath: path) {
      throw Failure.exit("\(path) exists already; nothing was changed")
    }
    try manager.createDirectory(atPath: directory + "/Support", withIntermediateDirectories: true)
    try Self.example.write(toFile: example, atomically: true, encoding: .utf8)
    try Self.helper.write(toFile: helper, atomically: true, encoding: .utf8)
    print("Created \(example) and \(helper). Run: infraspec run \(directory)")
  }

  static let example = """
    import InfraSpec

    // One line per fact; every modifier is one check. `infraspec list` shows what each one runs.
    describe("this machine") {
      describe("accounts") {
        User("root").exists().uid(0).home("/root")
        Group("root").exists().gid(0)
      }
      describe("files") {
        File("/etc/passwd").isFile().mode(0o644).owner("root")
        File("/etc/os-release").contains("ID=")
      }
      describe("network") {
        Interface("lo").isUp().hasAddress("127.0.0.1/8")
      }
      describe("kernel") {
        Sysctl("kernel.ostype").value("Linux")
        Mount("/proc").isMounted().filesystem("proc")
      }
      essentialTools()
    }

    """

  static let helper = """
    import InfraSpec

    // Helpers in Support/ are visible to every spec file in this folder.
    @SpecBuilder
    func essentialTools() -> [Check] {
      for tool in ["sh", "ls", "cat"] {
        Command("command -v \\(tool)").exitStatus(0)
      }
    }

    """
}
