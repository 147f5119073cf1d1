import InfraSpec

// A CDN point of presence, as the lab (`make lab`) builds them. Runs on hosts of the inventory
// group `pops`; on this machine alone it has nothing to check.
//
//   make lab
//   infraspec run Specs/Examples/pop.swift --inventory lab/state/inventory.ini \
//     --known-hosts lab/state/known_hosts

describe("edge PoP", hosts: "pops") {
  describe("network") {
    Interface("eth0").isUp()
    Interface("lo").isUp().hasAddress("127.0.0.1/8")
    Route.default.exists()
    Port(22).isListening()
  }

  describe("secrets") {
    File("/etc/pop/service.key").isFile().mode(0o600).owner("root").group("root")
    File("/etc/pop/pop.conf").isFile().contains("pop=")
  }

  describe("services") {
    Process("sshd").isRunning(as: "root")
    Package("openssh-server").isInstalled().version(atLeast: "1:9.2")
  }

  // One value compared across every PoP; the hosts that share a value are named.
  describe("fleet") {
    Fleet(Interface("eth0").macAddress).isUniquePerHost()
    Fleet(File("/etc/pop/service.key").sha256Digest).isUniquePerHost()
    Fleet(Package("openssh-server").installedVersion).isSameOnEveryHost()
  }
}
