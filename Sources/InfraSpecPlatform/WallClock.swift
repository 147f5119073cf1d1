@_spi(Runner) public import InfraSpecCore
internal import Glibc

extension Timestamp {
  /// The system's wall clock now: read here, not in the core, which asks nothing of the OS.
  @_spi(Runner) public static func now() -> Timestamp {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Timestamp(millisecondsSince1970: Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000)
  }
}
