import InfraSpec

// The quick start's spec: facts true on any Debian 12 machine, with or without systemd.
// `infraspec list Specs/localhost.swift` shows the command behind each check.

describe("this machine") {
  describe("operating system") {
    File("/usr/lib/os-release").isFile().contains("ID=debian")
    Package("base-files").isInstalled().version(atLeast: "12")
    Package("dpkg").isInstalled()
    Package("telnetd").isNotInstalled()
    Command("uname -s").exitStatus(0).stdout("Linux")
    Sysctl("kernel.ostype").value("Linux")
  }

  describe("accounts") {
    User("root").exists().uid(0).gid(0).home("/root").inGroups("root")
    User("nobody").exists().uid(65534).shell("/usr/sbin/nologin")
    Group("root").exists().gid(0)
    Group("nogroup").exists().gid(65534)
  }

  describe("files") {
    File("/etc/passwd").isFile().mode(0o644).owner("root").group("root")
    File("/etc/shadow").isFile().mode(0o640).owner("root").group("shadow")
    File("/tmp").isDirectory().mode(0o1777)
    File("/bin/sh").isSymlink().linksTo("dash")
    File("/etc/infraspec-never-created").doesNotExist()
  }

  describe("network") {
    Interface("lo").exists().isUp().mtu(65536).hasAddress("127.0.0.1/8")
  }

  describe("kernel") {
    Mount("/proc").isMounted().filesystem("proc")
    Process("infraspec-absent").isNotRunning()
  }

  coreTools()
}
