import InfraSpec

// Services on a mixed lab fleet: PoPs whose PID 1 is systemd, OpenRC or sysv-rc, grouped in the
// inventory as init_systemd, init_openrc and init_sysvinit. On this machine alone (no init as
// PID 1) every service check is "could not check".
//
//   make lab LAB_INIT=mixed
//   infraspec run Specs/Examples/services.swift --inventory lab/state/inventory.ini \
//     --known-hosts lab/state/known_hosts

describe("PoP services", hosts: "pops") {
  // The PoP's own sshd, started by whichever init runs it.
  Service("ssh").isRunning().isEnabled()
  Service("telnet").doesNotExist()

  describe("systemd", hosts: "init_systemd") {
    Service("lab-fails").exists().isEnabled()
    Service("lab-static").isNotEnabled()
    Service("lab-masked").isNotRunning().isNotEnabled()
    // Socket activation: the socket listens, the service waits for its first connection.
    Service("lab-echo.socket").isRunning().isEnabled()
    Service("lab-echo").isNotEnabled()
    Service("logrotate.timer").isRunning().isEnabled()
    Timer("lab-tick").isActive().isEnabled().nextElapse(within: .seconds(3_700))
  }

  describe("OpenRC", hosts: "init_openrc") {
    Service("lab-web").isRunning().isEnabled()
    Service("lab-idle").isNotRunning().isNotEnabled()
  }

  describe("sysv-rc", hosts: "init_sysvinit") {
    Service("lab-web").isRunning().isEnabled()
    Service("lab-idle").isNotRunning().isNotEnabled()
  }
}
