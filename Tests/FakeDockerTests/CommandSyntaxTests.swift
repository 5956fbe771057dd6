import Testing
@testable import FakeDocker

/// The first line of the error `args` gets from `syntax`, or nil if they parse.
private func firstErrorLine(_ syntax: CommandSyntax, _ args: [String]) -> String? {
    do {
        _ = try syntax.parse(args)
        return nil
    } catch {
        return error.message.split(separator: "\n").first.map(String.init)
    }
}

/// Every command but `run`/`create` parses its flags as cobra/pflag do.
@Suite("Command flags")
struct CommandSyntaxTests {
    @Test("flags and arguments mix, -- ends the flags, clusters and = forms set each flag")
    func interspersed() throws {
        let parsed = try RmCommand.syntax.parse(["a", "-fv", "b", "--link=false", "--", "-l", "c"])
        #expect(parsed.arguments == ["a", "b", "-l", "c"])
        #expect(parsed.bool("force") && parsed.bool("volumes") && !parsed.bool("link"))
    }

    @Test("without interspersing, the first argument ends the flags and -- after it is an argument")
    func notInterspersed() throws {
        var syntax = RmCommand.syntax
        syntax.interspersed = false
        let parsed = try syntax.parse(["-f", "a", "-v", "--", "b"])
        #expect(parsed.arguments == ["a", "-v", "--", "b"])
        #expect(parsed.bool("force") && !parsed.has("volumes"))
    }

    @Test("a boolean shorthand's =VALUE must be a boolean, as its long form's must")
    func shortBooleanValue() throws {
        #expect(firstErrorLine(RmCommand.syntax, ["-f=bogus", "c"])
                == "invalid argument \"bogus\" for \"-f\" flag: strconv.ParseBool: parsing \"bogus\": invalid syntax")
        #expect(firstErrorLine(RmCommand.syntax, ["--force=bogus", "c"])
                == "invalid argument \"bogus\" for \"--force\" flag: strconv.ParseBool: parsing \"bogus\": invalid syntax")
        #expect(try !RmCommand.syntax.parse(["-f=false", "c"]).bool("force"))
    }

    @Test("an unknown shorthand is named with the cluster from it on, as pflag names it")
    func unknownShorthand() {
        #expect(firstErrorLine(RmCommand.syntax, ["-fz", "c"]) == "unknown shorthand flag: 'z' in -z")
        #expect(firstErrorLine(RmCommand.syntax, ["-zf", "c"]) == "unknown shorthand flag: 'z' in -zf")
        #expect(firstErrorLine(RmCommand.syntax, ["--bogus=1", "c"]) == "unknown flag: --bogus")
    }
}
