import ProcessSpawn
import Testing

@Suite("Shell quoting")
struct ShellQuotingTests {
    @Test("plain words stay as they are")
    func plain() {
        for word in ["run", "--rm", "-e", "A=1", "busybox:1.36", "/tmp/x", "a@b%c+d,e"] {
            #expect(shellQuoted(word) == word)
        }
    }

    @Test("anything a shell would split or expand is single-quoted, a quote inside as '\\''")
    func quoted() {
        #expect(shellQuoted("") == "''")
        #expect(shellQuoted("echo hi") == "'echo hi'")
        #expect(shellQuoted("$HOME") == "'$HOME'")
        #expect(shellQuoted("it's") == #"'it'\''s'"#)
        #expect(shellQuoted(["sh", "-c", "echo 'hi' there", ""]) == #"sh -c 'echo '\''hi'\'' there' ''"#)
    }

    @Test("non-ASCII is quoted, and a quote that a combining mark follows is still escaped")
    func unicode() {
        #expect(shellQuoted("é") == "'é'")
        #expect(shellQuoted("'\u{301}") == "''\\''\u{301}'")
    }
}
