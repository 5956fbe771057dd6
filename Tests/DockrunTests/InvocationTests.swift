import DockerSyntax
import Testing
@testable import Dockrun

/// The request parsed from `args`, or a failed expectation.
private func request(_ args: [String]) throws -> RunRequest {
    let invocation = try Invocation.parse(args)
    guard case .run(let request) = invocation else {
        Issue.record("expected a run, got \(invocation)")
        throw DockrunError.noImage
    }
    return request
}

private func parseError(_ args: [String]) -> DockrunError? {
    do {
        _ = try Invocation.parse(args)
        return nil
    } catch {
        return error
    }
}

/// Options dockrun handles itself or refuses; every other option of the table is docker's.
private let dockrunOwned: Set<String> = ["rm", "help", "detach", "attach", "cidfile", "restart"]

@Suite("Command line")
struct InvocationTests {
    @Test("every value-taking option of docker run consumes the next argument, in both long forms",
          arguments: RunOptionTable.valueLong.subtracting(dockrunOwned).sorted())
    func valueOption(name: String) throws {
        let spaced = try request(["--\(name)", "v", "img", "cmd"])
        #expect(spaced.dockerOptions == ["--\(name)", "v"])
        #expect(spaced.image == "img")
        #expect(spaced.command == ["cmd"])

        let joined = try request(["--\(name)=v", "img"])
        #expect(joined.dockerOptions == ["--\(name)=v"])
        #expect(joined.image == "img")
    }

    @Test("every boolean option of docker run leaves the next argument alone and accepts =BOOL",
          arguments: RunOptionTable.booleanLong.subtracting(dockrunOwned).sorted())
    func booleanOption(name: String) throws {
        let bare = try request(["--\(name)", "img", "cmd"])
        #expect(bare.dockerOptions == ["--\(name)"])
        #expect(bare.image == "img")
        #expect(bare.command == ["cmd"])

        let explicit = try request(["--\(name)=false", "img"])
        #expect(explicit.dockerOptions == ["--\(name)=false"])
        #expect(explicit.image == "img")

        #expect(parseError(["--\(name)=maybe", "img"]) == .invalidBool(option: "--\(name)", value: "maybe"))
    }

    @Test("every value-taking short option works as -xV, -x=V and -x V",
          arguments: RunOptionTable.shortAliases.filter { RunOptionTable.valueLong.contains($0.value) && $0.value != "attach" }
              .keys.sorted())
    func shortValueOption(letter: Character) throws {
        for form in [["-\(letter)V"], ["-\(letter)=V"], ["-\(letter)", "V"]] {
            let parsed = try request(form + ["img", "cmd"])
            #expect(parsed.dockerOptions == form)
            #expect(parsed.image == "img")
            #expect(parsed.command == ["cmd"])
        }
    }

    @Test("clustered booleans and a value-taking letter at the end of a cluster")
    func clusters() throws {
        let it = try request(["-it", "img"])
        #expect(it.dockerOptions == ["-it"])
        #expect(it.image == "img")

        let withValue = try request(["-ite", "A=1", "img"])
        #expect(withValue.dockerOptions == ["-ite", "A=1"])
        #expect(withValue.image == "img")
    }

    @Test("-i in any spelling is noted (a start dockrun carries through attaches stdin too) and passed on")
    func interactive() throws {
        for form in [["-i"], ["-it"], ["-ti"], ["--interactive"], ["--interactive=true"], ["-i=1"]] {
            let parsed = try request(form + ["img"])
            #expect(parsed.interactive, "\(form)")
            #expect(parsed.dockerOptions == form)
        }
        for form in [[], ["-t"], ["--interactive=false"], ["-i=false"]] {
            #expect(try !request(form + ["img"]).interactive, "\(form)")
        }
    }

    @Test("-d, --detach, -dit and -a/--attach are refused: dockrun must stay attached")
    func attachedOnly() {
        #expect(parseError(["-d", "img"]) == .attachedOnly(spelling: "-d"))
        #expect(parseError(["--detach", "img"]) == .attachedOnly(spelling: "--detach"))
        #expect(parseError(["-dit", "img"]) == .attachedOnly(spelling: "-d"))
        #expect(parseError(["-itd", "img"]) == .attachedOnly(spelling: "-d"))
        #expect(parseError(["-a", "stdout", "img"]) == .attachedOnly(spelling: "-a"))
        #expect(parseError(["--attach=stdout", "img"]) == .attachedOnly(spelling: "--attach"))
        #expect(DockrunError.attachedOnly(spelling: "-d").exitCode == 125)
        #expect(DockrunError.attachedOnly(spelling: "-d").message.contains("must stay attached"))
    }

    @Test("--restart other than no is refused (the monitor restarts the service); --restart no is passed on")
    func restartPolicy() throws {
        for (form, spelling, value) in [(["--restart", "always"], "--restart", "always"), (["--restart=on-failure:3"], "--restart", "on-failure:3"),
                                        (["--restart", "unless-stopped"], "--restart", "unless-stopped"), (["--restart="], "--restart", "")] {
            #expect(parseError(form + ["img"]) == .restartPolicy(spelling: spelling, value: value), "\(form)")
        }
        #expect(DockrunError.restartPolicy(spelling: "--restart", value: "always").exitCode == 125)
        #expect(DockrunError.restartPolicy(spelling: "--restart", value: "always").message
                == "--restart always is not supported: the monitor that runs dockrun restarts the service (a restart by docker would fight it, and dockrun's --rm); dockrun runs the container once")
        #expect(try request(["--restart", "no", "img"]).dockerOptions == ["--restart", "no"])
        #expect(try request(["--restart=no", "img"]).dockerOptions == ["--restart=no"])
    }

    @Test("--detach=false asks for what dockrun does anyway and is passed on")
    func detachFalse() throws {
        #expect(try request(["--detach=false", "img"]).dockerOptions == ["--detach=false"])
        #expect(try request(["-d=false", "img"]).dockerOptions == ["-d=false"])
    }

    @Test("--rm, -rm and --rm=BOOL are dockrun's and never reach docker")
    func remove() throws {
        for form in [["--rm"], ["-rm"], ["--rm=true"], ["-rm=1"]] {
            let parsed = try request(form + ["img"])
            #expect(parsed.remove)
            #expect(parsed.dockerOptions.isEmpty)
        }
        let off = try request(["--rm", "--rm=false", "img"])
        #expect(!off.remove)
        #expect(off.dockerOptions.isEmpty)
        #expect(parseError(["--rm=yes", "img"]) == .invalidBool(option: "--rm", value: "yes"))
    }

    @Test("--commit, --commit=REF and -commit REF are validated and kept from docker")
    func commit() throws {
        for form in [["--commit", "repo/name:tag"], ["--commit=repo/name:tag"], ["-commit", "repo/name:tag"]] {
            let parsed = try request(form + ["img"])
            #expect(parsed.commit?.text == "repo/name:tag")
            #expect(parsed.commit?.reference == ImageReference(repository: "repo/name", tag: "tag"))
            #expect(parsed.dockerOptions.isEmpty)
            #expect(parsed.image == "img")
        }
    }

    @Test("a commit reference with a registry port is split at the tag's colon, not the port's")
    func commitWithPort() throws {
        let parsed = try request(["--commit", "localhost:5000/img", "img"])
        #expect(parsed.commit?.reference == ImageReference(repository: "localhost:5000/img", tag: "latest"))
        let tagged = try request(["--commit", "localhost:5000/a/b:t", "img"])
        #expect(tagged.commit?.reference == ImageReference(repository: "localhost:5000/a/b", tag: "t"))
    }

    @Test("an image with a registry port is the image, whole")
    func imageWithPort() throws {
        let parsed = try request(["localhost:5000/img", "sh"])
        #expect(parsed.image == "localhost:5000/img")
        #expect(parsed.command == ["sh"])
    }

    @Test("a bad --commit reference is refused before anything starts, with docker's reason")
    func badCommit() {
        let error = parseError(["--commit", "Bad:Ref", "img"])
        #expect(error == .invalidCommitReference("Bad:Ref", .mustBeLowercase("library/Bad")))
        #expect(error?.message == "invalid --commit reference \"Bad:Ref\": invalid reference format: repository name (library/Bad) must be lowercase")
        #expect(error?.exitCode == 125)
        #expect(parseError(["--commit=", "img"]) == .invalidCommitReference("", .invalidFormat))
        #expect(parseError(["--commit", "a@sha256:" + String(repeating: "0", count: 64), "img"])
                == .invalidCommitReference("a@sha256:" + String(repeating: "0", count: 64), .digestReference))
    }

    @Test("a trailing --commit without its value is an error, not a crash")
    func trailingCommit() {
        #expect(parseError(["--commit"]) == .missingValue(option: "--commit"))
        #expect(parseError(["-rm", "-commit"]) == .missingValue(option: "-commit"))
        #expect(DockrunError.missingValue(option: "--commit").exitCode == 125)
    }

    @Test("-commit after -cidfile takes its own value and shifts nothing")
    func commitAfterCidfile() throws {
        let parsed = try request(["-cidfile", "/tmp/x.cid", "-commit", "out:1", "-rm", "img", "cmd", "arg"])
        #expect(parsed.cidfile == "/tmp/x.cid")
        #expect(parsed.commit?.text == "out:1")
        #expect(parsed.remove)
        #expect(parsed.image == "img")
        #expect(parsed.command == ["cmd", "arg"])
        #expect(parsed.dockerOptions.isEmpty)
    }

    @Test("--cidfile is the user's and the last one wins, as in docker")
    func cidfile() throws {
        #expect(try request(["--cidfile", "a", "--cidfile=b", "img"]).cidfile == "b")
    }

    @Test("the container's command is untouched: -rm, -commit, -a and -d after IMAGE are its own")
    func commandUntouched() throws {
        let parsed = try request(["img", "tool", "-rm", "-a", "x", "-commit", "-d", "--help", "--"])
        #expect(parsed.image == "img")
        #expect(parsed.command == ["tool", "-rm", "-a", "x", "-commit", "-d", "--help", "--"])
        #expect(!parsed.remove)
        #expect(parsed.commit == nil)
    }

    @Test("-- ends the options: what follows is IMAGE even if it looks like an option")
    func doubleDash() throws {
        let parsed = try request(["--rm", "--", "img", "--rm"])
        #expect(parsed.remove)
        #expect(parsed.image == "img")
        #expect(parsed.command == ["--rm"])
        #expect(parsed.dockerOptions.isEmpty)
    }

    @Test("an option the table does not know goes to docker with everything after it, untouched")
    func unknownOption() throws {
        let long = try request(["--rm", "-e", "A=1", "--bogus", "x", "img", "--commit"])
        #expect(long.remove)
        #expect(long.dockerOptions == ["-e", "A=1"])
        #expect(long.image == nil)
        #expect(long.command == ["--bogus", "x", "img", "--commit"])

        let short = try request(["-z", "img"])
        #expect(short.image == nil)
        #expect(short.command == ["-z", "img"])
    }

    @Test("no IMAGE, or a docker option without its value, is a usage error")
    func usageErrors() {
        #expect(parseError([]) == .noImage)
        #expect(parseError(["--rm"]) == .noImage)
        #expect(parseError(["--name"]) == .missingValue(option: "--name"))
        #expect(parseError(["-e"]) == .missingValue(option: "-e"))
        #expect(DockrunError.noImage.exitCode == 125)
    }

    @Test("--help and --version before IMAGE are dockrun's")
    func helpAndVersion() throws {
        #expect(try Invocation.parse(["--help"]) == .help)
        #expect(try Invocation.parse(["-e", "A=1", "--help", "img"]) == .help)
        #expect(try Invocation.parse(["--version"]) == .version)
    }
}
