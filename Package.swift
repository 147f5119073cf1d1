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
    // DNS and DNSSEC for other Swift programs, without the rest of InfraSpec.
    .library(name: "InfraSpecDNS", targets: ["InfraSpecDNS"]),
    .executable(name: "infraspec", targets: ["infraspec"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2")
  ],
  targets: [
    // libssh2 1.10 from Debian; only the SSH transport imports it.
    .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
    // OpenSSL 3 from Debian: the one crypto library. libssh2 already links its libcrypto; the edge
    // checks drive its TLS client through memory BIOs, so the handshake runs over any byte stream
    // (a local socket or an SSH direct-tcpip channel), and use its X.509 parsing, RFC 6125 host
    // matching and chain verification; DNSSEC's signatures and digests use its EVP interface. A
    // system library costs no compile time: swift-crypto (BoringSSL) took 1.5-3.5 minutes of
    // every cold build and 2+ MB of every carried binary to duplicate what libcrypto has.
    .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
    // The layers, lowest first; an arrow not listed here does not compile. Every library target is
    // built with library evolution, so a spec compile finds each one's `.swiftinterface` in
    // `-I <bin>/Modules` and links them all through libInfraSpec.so.
    // The model: checks' outcomes, events, source locations, the probe vocabulary. No OS I/O.
    // It imports nothing but the standard library, so it cannot do I/O.
    .target(name: "InfraSpecCore", swiftSettings: libraryEvolution),
    // The OS basics every layer above the core needs: threads, locks, the wall clock, $HOME and
    // $TMPDIR, the words for a system error.
    .target(name: "InfraSpecPlatform", dependencies: ["InfraSpecCore"], swiftSettings: libraryEvolution),
    // The one TCP dialler (resolve with a deadline, connect non-blocking): DNS, the edge and SSH
    // all dial through it. Plain sockets; of the core only its thread and lock helpers.
    .target(
      name: "InfraSpecSockets", dependencies: ["InfraSpecCore", "InfraSpecPlatform"],
      swiftSettings: libraryEvolution),
    // Digests, HMACs and signature checks over libcrypto's EVP interface, so DNSSEC, known_hosts
    // and the spec cache never spell OpenSSL's names.
    .target(name: "InfraSpecCrypto", dependencies: ["COpenSSL"], swiftSettings: libraryEvolution),
    // DNS wire format, a client over an abstract byte stream, DNSSEC validation.
    .target(
      name: "InfraSpecDNS",
      dependencies: ["InfraSpecCore", "InfraSpecPlatform", "InfraSpecSockets", "InfraSpecCrypto"],
      swiftSettings: libraryEvolution),
    // Where probes run: the Transport protocol, this machine, the replay double, batch scripts.
    .target(
      name: "InfraSpecTransports", dependencies: ["InfraSpecCore", "InfraSpecPlatform", "InfraSpecSockets"],
      swiftSettings: libraryEvolution),
    // SSH transports (libssh2 and the OpenSSH client); the only target that sees libssh2.
    .target(
      name: "InfraSpecSSH",
      dependencies: [
        "InfraSpecCore", "InfraSpecPlatform", "InfraSpecSockets", "InfraSpecTransports", "InfraSpecDNS",
        "InfraSpecCrypto", "CLibSSH2",
      ],
      swiftSettings: libraryEvolution
    ),
    // TLS and HTTP clients for edge checks; with InfraSpecCrypto, the only targets that see OpenSSL.
    .target(
      name: "InfraSpecEdge",
      dependencies: [
        "InfraSpecCore", "InfraSpecPlatform", "InfraSpecSockets", "InfraSpecTransports", "InfraSpecCrypto",
        "COpenSSL",
      ],
      swiftSettings: libraryEvolution
    ),
    // Reporters read events only: no hosts, no transports.
    .target(
      name: "InfraSpecReporters", dependencies: ["InfraSpecCore", "InfraSpecPlatform"],
      swiftSettings: libraryEvolution),
    // What spec files import: DSL, resources, probes, runner.
    .target(
      name: "InfraSpec",
      dependencies: [
        "InfraSpecCore", "InfraSpecPlatform", "InfraSpecDNS", "InfraSpecTransports", "InfraSpecSSH",
        "InfraSpecEdge", "InfraSpecReporters",
      ],
      swiftSettings: libraryEvolution
    ),
    .executableTarget(
      name: "infraspec",
      dependencies: [
        "InfraSpec", "InfraSpecPlatform",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        // SHA-256 of cached spec binaries.
        "InfraSpecCrypto",
      ],
      path: "Sources/infraspec-cli",
      // `infraspec --version` names the git commit it was built from.
      plugins: ["GitCommit"]
    ),
    .plugin(name: "GitCommit", capability: .buildTool()),
    .testTarget(
      name: "InfraSpecTests",
      dependencies: [
        "InfraSpec", "InfraSpecCore", "InfraSpecPlatform", "InfraSpecSockets", "InfraSpecCrypto",
        "InfraSpecDNS", "InfraSpecTransports", "InfraSpecSSH", "InfraSpecEdge",
        "InfraSpecReporters", "infraspec",
      ]
    ),
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
