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
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2")
  ],
  targets: [
    .target(name: "InfraSpec", swiftSettings: libraryEvolution),
    .executableTarget(
      name: "infraspec",
      dependencies: [
        "InfraSpec",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/infraspec-cli"
    ),
    .testTarget(name: "InfraSpecTests", dependencies: ["InfraSpec", "infraspec"]),
  ]
)

for target in package.targets {
  var settings = target.swiftSettings ?? []
  settings += [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
  ]
  target.swiftSettings = settings
}
