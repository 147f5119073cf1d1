import InfraSpec

/// The tools InfraSpec's probes call, so a missing one shows up as a named failure here
/// rather than as "could not check" everywhere else.
@SpecBuilder
func coreTools() -> [Check] {
  describe("probe tools") {
    for tool in ["stat", "getent", "id", "ps", "ip", "cat", "readlink", "sha256sum"] {
      Command(["sh", "-c", "command -v \"$1\"", "sh", tool]).exitStatus(0)
    }
  }
}
