// swift-tools-version: 6.0
import PackageDescription

// Spec files are compiled against the InfraSpec library at run time (as SwiftPM compiles
// Package.swift against PackageDescription). Library evolution gives a stable
// `.swiftinterface`, so a spec compile needs only `-I <bin>/Modules`: none of the library's
// own dependencies or C headers.
let libraryEvolution: [SwiftSetting] = [
  .unsafeFlags(["-enable-library-evolution", "-emit-module-interface"])
]

let package = Package(
  name: "InfraSpec",
  products: [
    .library(name: "InfraSpec", type: .dynamic, targets: ["InfraSpec"]),
    .executable(name: "infraspec", targets: ["infraspec"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
    // DNSSEC signature verification (RSA, ECDSA, Ed25519) and DS digests; the only crypto we need.
    .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
  ],
  targets: [
    // libssh2 1.10 from Debian; only the SSH transport imports it.
    .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
    // OpenSSL 3 from Debian for the edge checks: a TLS client driven through memory BIOs, so the
    // handshake runs over any byte stream (a local socket or an SSH direct-tcpip channel), and its
    // X.509 parsing, RFC 6125 host matching and chain verification; no X.509 code of our own. A
    // system library costs no compile time, unlike swift-nio-ssl or swift-certificates.
    .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
    .target(
      name: "InfraSpec",
      dependencies: [
        "CLibSSH2",
        "COpenSSL",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
      ],
      swiftSettings: libraryEvolution
    ),
    .executableTarget(
      name: "infraspec",
      dependencies: [
        "InfraSpec",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        // SHA-256 of cached spec binaries; already linked into infraspec through InfraSpec.
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Sources/infraspec-cli",
      // `infraspec --version` names the git commit it was built from.
      plugins: ["GitCommit"]
    ),
    .plugin(name: "GitCommit", capability: .buildTool()),
    .testTarget(name: "InfraSpecTests", dependencies: ["InfraSpec", "infraspec"]),
  ]
)

for target in package.targets where target.type != .system && target.type != .plugin {
  var settings = target.swiftSettings ?? []
  settings += [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
  ]
  target.swiftSettings = settings
}
