import Foundation
import Testing

/// `make install` and `make uninstall`, run for real into a temporary prefix from this test
/// run's own build (`NO_BUILD=1 BIN=…`: `swift test` holds `.build`, so nothing may build).
@Suite("make install")
struct InstallTests {
  static let repository = BuildCommandTests.repository

  @Test("make install: works from another folder, man renders, completions; make uninstall removes it all")
  func installAndUninstall() throws {
    let bin = CLI.binDirectory.path
    // scripts/test.sh builds generate-manual (the man page's generator) before the suite.
    guard FileManager.default.isExecutableFile(atPath: bin + "/generate-manual") else {
      Issue.record(
        "no \(bin)/generate-manual: run `swift build --product generate-manual` (scripts/test.sh does)")
      return
    }
    let root = NSTemporaryDirectory() + "isp-install-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let prefix = root + "/prefix"
    let make = ["make", "-C", Self.repository.path, "NO_BUILD=1", "BIN=\(bin)", "PREFIX=\(prefix)"]
    let installed = try Shell.run(make + ["install"])
    #expect(installed.status == 0, "\(installed.stdout)\(installed.stderr)")

    // From an unrelated folder, with only the prefix's bin (and the toolchain) on PATH.
    try FileManager.default.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: false)
    let elsewhere = URL(fileURLWithPath: root + "/elsewhere")
    let path = "\(prefix)/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    let version = try Shell.run(["infraspec", "--version"], in: elsewhere, environment: ["PATH": path])
    #expect(version.status == 0 && version.stdout.hasPrefix("0."), "\(version.stdout)\(version.stderr)")
    let spec = Self.repository.path + "/Specs/localhost.swift"
    let run = try Shell.run(
      ["infraspec", "run", spec, "--format", "tap"], in: elsewhere,
      environment: ["PATH": path, "XDG_CACHE_HOME": root + "/cache"])
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    #expect(run.stdout.hasPrefix("TAP version") && !run.stdout.contains("not ok"), "\(run.stdout)")

    let man = try Shell.run(
      ["man", "-M", prefix + "/share/man", "infraspec"], environment: ["MANPAGER": "cat", "MANWIDTH": "80"])
    #expect(man.status == 0, "\(man.stderr)")
    #expect(man.stdout.contains("infraspec") && man.stdout.contains("SYNOPSIS"), "\(man.stdout)")
    for completion in [
      "share/bash-completion/completions/infraspec", "share/zsh/site-functions/_infraspec",
      "share/fish/vendor_completions.d/infraspec.fish",
    ] {
      let text = (try? String(contentsOfFile: prefix + "/" + completion, encoding: .utf8)) ?? ""
      #expect(text.contains("infraspec"), "\(completion) missing or empty")
    }

    let removed = try Shell.run(make + ["uninstall"])
    #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
    let left = try Shell.must(["find", prefix, "-not", "-type", "d"])
    #expect(left.isEmpty, "make uninstall left: \(left)")
  }
}
