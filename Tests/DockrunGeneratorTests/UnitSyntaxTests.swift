import Testing
@testable import DockrunGenerator

@Suite("systemd's unit file syntax")
struct UnitSyntaxTests {
    @Test("sections, comments and continuation lines read as systemd reads them, with each entry's first line")
    func parsesSystemdSyntax() throws {
        let file = try UnitFile.parse("""
            # a comment
            [Unit]
            Description=  spaced value\t
            ; another comment
            [Container]
            Exec=sh -c \\
            # skipped inside a continuation
              "echo hi"
            Image=busybox
            """)
        #expect(file.sections.map(\.name) == ["Unit", "Container"])
        #expect(file.entries(in: "Unit") == [.init(key: "Description", value: "spaced value", line: 3)])
        #expect(file.entries(in: "Container") == [.init(key: "Exec", value: "sh -c    \"echo hi\"", line: 6),
                                                  .init(key: "Image", value: "busybox", line: 9)])
    }

    @Test("a repeated section is one section; the last assignment of a key wins")
    func repeatedSections() throws {
        let file = try UnitFile.parse("[Container]\nImage=a\n[Service]\nType=notify\n[Container]\nImage=b\n")
        #expect(file.last("Image", in: "Container")?.value == "b")
    }

    @Test("a line without '=' or before any section is an error naming its line")
    func syntaxErrors() {
        #expect(throws: UnitSyntaxError(line: 2, message: "missing '=' in Image busybox")) {
            try UnitFile.parse("[Container]\nImage busybox\n")
        }
        #expect(throws: UnitSyntaxError(line: 1, message: "assignment outside of a section")) {
            try UnitFile.parse("Image=busybox\n")
        }
    }
}

@Suite("systemd's words: splitting and quoting")
struct SystemdWordsTests {
    @Test("quotes group words, also inside a word; C escapes are read; % and $ are kept for systemd")
    func splits() throws {
        #expect(try SystemdWords.split(#"sh -c "echo a  b" 'x y' a"b c"d \x41\n %i $HOME"#)
                == ["sh", "-c", "echo a  b", "x y", "ab cd", "A\n", "%i", "$HOME"])
        #expect(try SystemdWords.split("  ") == [])
        #expect(try SystemdWords.split(#"'' """#) == ["", ""])
    }

    @Test("an unbalanced quote is an error")
    func unbalanced() {
        #expect(throws: SystemdWords.SyntaxError(message: "unbalanced quote \"")) { try SystemdWords.split("a \"b") }
    }

    @Test("a quoted command line reads back as the same words")
    func roundTrip() throws {
        let words = ["sh", "-c", #"trap "echo stop" TERM; x\y"#, "", ";", "tab\there", "%N", "$$"]
        #expect(try SystemdWords.split(SystemdWords.join(words)) == words)
        #expect(SystemdWords.join(["busybox:latest", "%N"]) == "busybox:latest %N")
    }
}
