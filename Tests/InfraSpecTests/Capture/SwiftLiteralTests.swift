import Testing

@_spi(Runner) @testable import InfraSpec
@_spi(Runner) @testable import InfraSpecCore

@Suite struct SwiftLiteralTests {
  @Test(
    "host values become single-line Swift literals, hostile bytes escaped",
    arguments: [
      ("eth0", #""eth0""#),
      ("a\"b", #""a\"b""#),
      (#"back\slash"#, #""back\\slash""#),
      ("two\nlines\r", #""two\nlines\r""#),
      ("tab\there", #""tab\there""#),
      ("nul\u{0}", #""nul\0""#),
      ("\u{1B}[31mred", #""\u{1B}[31mred""#),
      (#"\(interpolated)"#, #""\\(interpolated)""#),
      ("caf\u{E9} \u{1F600}", #""caf\u{E9} \u{1F600}""#),
      ("\u{2028}\u{7F}", #""\u{2028}\u{7F}""#),
      ("", #""""#),
    ])
  func escapes(value: String, literal: String) {
    #expect(SwiftLiteral.string(value) == literal)
  }

  @Test("comments hold printable ASCII only, on one line")
  func comments() {
    #expect(SwiftLiteral.comment("a\nb\u{1B}c\u{E9}") == "a?b?c?")
  }

  @Test("modes are written in octal")
  func modes() {
    #expect(SwiftLiteral.octal(0o640) == "0o640")
    #expect(SwiftLiteral.octal(0o1777) == "0o1777")
  }
}

@Suite struct CaptureSelectionTests {
  @Test("--only names kinds in any order; the spec keeps one order")
  func parses() throws {
    let selection = try CaptureSelection.parse(
      only: "files:/etc/pop,interfaces,dns:www.example.com,files:/srv")
    #expect(selection.sections == [.interfaces, .files, .dns])
    #expect(selection.fileRoots == ["/etc/pop", "/srv"])
    #expect(selection.dnsNames == ["www.example.com"])
    #expect(!selection.allPackages)
    #expect(try CaptureSelection.parse(only: "packages").allPackages)
    #expect(!CaptureSelection().allPackages && !CaptureSelection().sections.contains(.files))
  }

  @Test(
    "--only mistakes are named",
    arguments: [
      (
        "interface",
        "--only: unknown kind \"interface\"; choose from interfaces, routes, ports, services, packages, users, files, sysctls, dns, mounts"
      ),
      ("files", "--only files needs a folder: files:/etc/pop"),
      ("files:etc", "--only files:DIR takes an absolute folder other than /, e.g. files:/etc/pop"),
      ("dns", "--only dns needs a name to ask: dns:www.example.com"),
      ("routes:x", "--only routes takes no argument (got routes:x)"),
    ])
  func mistakes(only: String, message: String) {
    #expect(throws: CaptureSelectionError.self) { try CaptureSelection.parse(only: only) }
    do throws(CaptureSelectionError) {
      _ = try CaptureSelection.parse(only: only)
    } catch {
      #expect(error.description == message)
    }
  }
}
