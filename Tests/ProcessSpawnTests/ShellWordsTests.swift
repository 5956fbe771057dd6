import ProcessSpawn
import Testing

/// POSIX sh's splitting and quote removal (XCU 2.2 Quoting), as the call log's reader and `--fault` use it.
@Suite("Shell words")
struct ShellWordsTests {
    @Test("sh's quoting: double quotes keep a backslash unless it escapes $ ` \" \\ or a newline")
    func doubleQuotes() {
        var line: Substring = #""a\"b\$c\d" e\ f"# + "\nnext"
        #expect(ShellWords.splitLine(&line) == [#"a"b$c\d"#, "e f"])
        #expect(line == "next")
    }

    @Test("each quoting rule of sh, one row each", arguments: [
        ("a  b\tc", ["a", "b", "c"]),                                   // blanks separate, runs of them once
        (#"'a \ "b"'"#, [#"a \ "b""#]),                                  // single quotes keep everything
        (#""\`\\\"\$\x""#, [#"`\"$\x"#]),                                // in double quotes: \ before $ ` " \ only
        (#"a\ b\'c\"d\\e\x"#, [#"a b'c"d\ex"#]),                         // outside quotes: \ keeps any character
        ("a\\\nb", ["ab"]),                                              // \ newline joins the lines
        ("\"a\\\nb\"", ["ab"]),                                          // ... inside double quotes too
        ("'' \"\" x''", ["", "", "x"]),                                  // empty quotes are an empty word
        (#"commit --exit 1 --stderr "Error response: it's gone""#,
         ["commit", "--exit", "1", "--stderr", "Error response: it's gone"]),
        ("a\nb", ["a", "b"]),                                            // split: a newline separates too
    ] as [(String, [String])])
    func rule(text: String, words: [String]) {
        #expect(ShellWords.split(text) == words)
    }

    @Test("an unclosed quote, or a backslash at the end, is not a command line", arguments: [
        "'a", "\"a", "a\\", "\"a\\",
    ])
    func unbalanced(text: String) {
        #expect(ShellWords.split(text) == nil)
        var line = Substring(text)
        #expect(ShellWords.splitLine(&line) == nil)
        #expect(line == Substring(text))
    }

    @Test("what shellQuoted writes reads back as the words it was given")
    func roundTrip() {
        let words = ["run", "", "it's", "a b", #"\"$`"#, "two\nlines", "é\u{301}", "'\\''"]
        #expect(ShellWords.split(shellQuoted(words)) == words)
    }
}
