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

/// `docker [OPTIONS] COMMAND`: the root command's own options, through the same tokenizer.
@Suite("Global options")
struct GlobalOptionsTests {
    @Test("each form the docker CLI accepts is read and dropped, up to the command", arguments: [
        ["--host=unix:///x.sock"], ["-H", "unix:///x.sock"], ["-Hunix:///x.sock"], ["-H=unix:///x.sock"], ["-D"],
        ["--debug"], ["--context", "default"], ["-c", "default"], ["-l", "debug"], ["--log-level=debug"],
        ["--config", "/tmp/c"], ["--tls", "--tlsverify", "--tlscacert", "ca", "--tlscert", "cert", "--tlskey", "key"],
        ["-DH", "unix:///x.sock"], ["-D", "-l", "error", "--host", "tcp://h:2375"], ["--"],
    ])
    func readAndDropped(_ options: [String]) throws {
        #expect(try GlobalOptions.command(options + ["ps", "-a"]) == ["ps", "-a"])
    }

    @Test("the command's own words stay untouched, global-looking options and -- included")
    func commandUntouched() throws {
        #expect(try GlobalOptions.command(["-D", "run", "-H", "x", "--", "-D"]) == ["run", "-H", "x", "--", "-D"])
        #expect(try GlobalOptions.command(["__shim", "ID", "--state", "s"]) == ["__shim", "ID", "--state", "s"])
        #expect(try GlobalOptions.command([]) == [])
    }

    @Test("an unknown or incomplete global option is docker's usage error, 125")
    func errors() {
        let error = #expect(throws: DockerError.self) { try GlobalOptions.command(["--bogus", "ps"]) }
        #expect(error?.message
                == "unknown flag: --bogus\n\nUsage:  docker [OPTIONS] COMMAND\n\nRun 'docker --help' for more information")
        #expect(error?.exitCode == 125)
        #expect(firstErrorLine(GlobalOptions.syntax, ["-H"]) == "flag needs an argument: 'H' in -H")
        #expect(firstErrorLine(GlobalOptions.syntax, ["-D=maybe", "ps"])
                == "invalid argument \"maybe\" for \"-D\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax")
    }
}
