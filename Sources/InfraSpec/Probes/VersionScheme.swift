@_spi(Runner) internal import InfraSpecCore
internal import InfraSpecDNS
internal import InfraSpecTransports
internal import InfraSpecSSH
internal import InfraSpecEdge
@_spi(Runner) internal import InfraSpecReporters

/// The package manager whose rules order two version strings.
///
/// Each host's probe set picks the scheme of its package database: Debian and Ubuntu use
/// `dpkg`, RHEL and Fedora use `rpm`, Alpine uses `apk`.
enum VersionScheme: Sendable, Hashable, CaseIterable {
  /// dpkg's `epoch:upstream-revision` ordering (Debian Policy 5.6.12).
  case dpkg
  /// rpm's `epoch:version-release` ordering built on `rpmvercmp` (rpm 4.15 and later).
  case rpm
  /// apk-tools' ordering of Alpine versions (`1.2.3b_rc1_p2~hash-r4`).
  case apk
}
