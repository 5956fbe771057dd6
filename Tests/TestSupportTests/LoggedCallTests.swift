import Testing
import TestSupport

@Suite("Reading fake-docker's call log")
struct LoggedCallTests {
    @Test("A container named stop does not make a call a stop: the command is the first argument")
    func commandIsTheFirstArgument() throws {
        let calls = try LoggedCall.parse("0\trun --name stop dockrun-test/busybox true\n0\tstop abc\n")
        #expect(calls.map(\.command) == ["run", "stop"])
        #expect(calls.filter { $0.command == "stop" } == [LoggedCall(exitCode: 0, arguments: ["stop", "abc"])])
    }

    @Test("Quoted arguments come back as the argv fake-docker was given")
    func quotedArguments() throws {
        let log = "3\trun --name c1 dockrun-test/busybox sh -c 'exit 3'\n"
            + "-\trun img sh -c 'echo it'\\''s; echo \"$HOME\"' '' 'two\nlines'\n"
            + "1\trm c1\n"
        #expect(try LoggedCall.parse(log) == [
            LoggedCall(exitCode: 3, arguments: ["run", "--name", "c1", "dockrun-test/busybox", "sh", "-c", "exit 3"]),
            LoggedCall(exitCode: nil, arguments: ["run", "img", "sh", "-c", "echo it's; echo \"$HOME\"", "", "two\nlines"]),
            LoggedCall(exitCode: 1, arguments: ["rm", "c1"]),
        ])
    }

    @Test("An unclosed quote is not a call log")
    func unclosedQuote() {
        #expect(throws: LoggedCall.Unreadable.self) { try LoggedCall.parse("0\trun 'img\n") }
        #expect(throws: LoggedCall.Unreadable.self) { try LoggedCall.parse("zero\trun img\n") }
    }
}
