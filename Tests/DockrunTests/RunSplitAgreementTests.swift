import DockerSyntax
import Testing
@testable import Dockrun

/// An option as docker understands it, whichever words it was read from.
private struct Meaning: Equatable, CustomStringConvertible {
    var name: String
    var value: String?
    var spelling: String
    var description: String { "\(spelling)(\(name))=\(value ?? "<bare>")" }
}

private extension Meaning {
    init(_ option: ParsedOption) { self.init(name: option.name, value: option.value, spelling: option.spelling) }
}

/// Docker options dockrun takes for itself: it removes the container and writes the cidfile.
private let takenByDockrun: Set<String> = ["rm", "cidfile"]
/// Docker options dockrun refuses or answers itself (`InvocationTests` proves how).
private let notRun: Set<String> = ["attach", "detach", "help", "restart"]

/// A command after IMAGE full of words that would be options before it.
private let command = ["cmd", "--rm", "-it", "--", "--commit", "-d"]

private let booleanLetters = RunOptionTable.shortAliases.filter { RunOptionTable.booleanLong.contains($0.value) && !notRun.contains($0.value) }.keys.sorted()
private let valueLetters = RunOptionTable.shortAliases.filter { RunOptionTable.valueLong.contains($0.value) && !notRun.contains($0.value) }.keys.sorted()

/// Every option of the table in every spelling pflag accepts, including values that look like options.
private let everyOption: [[String]] = {
    var forms: [[String]] = []
    for name in RunOptionTable.valueLong.subtracting(notRun).sorted() {
        forms += [["--\(name)", "v"], ["--\(name)=v"], ["--\(name)=--x=y"], ["--\(name)", "--rm"], ["--\(name)", "--"], ["--\(name)="]]
    }
    for name in RunOptionTable.booleanLong.subtracting(notRun).sorted() {
        forms += [["--\(name)"], ["--\(name)=true"], ["--\(name)=false"], ["--\(name)=0"], ["--\(name)=T"]]
    }
    for letter in valueLetters {
        forms += [["-\(letter)V"], ["-\(letter)=V"], ["-\(letter)", "V"], ["-\(letter)", "-it"], ["-\(letter)=-x"], ["-\(letter)--"]]
    }
    for letter in booleanLetters {
        forms += [["-\(letter)"], ["-\(letter)=false"], ["-\(letter)=1"]]
    }
    return forms
}()

/// Clusters: booleans, then at most one value-taking letter that takes the rest or the next word.
private let clusters: [[String]] = {
    var forms: [[String]] = [["-it=false"], ["-i=true", "-t"], ["-qitP"], ["-ite", "A=1", "-e", "B=2"], ["-iteA=1"], ["-ee"], ["-ei"]]
    for first in booleanLetters {
        for second in booleanLetters { forms.append(["-\(first)\(second)"]) }
        for letter in valueLetters {
            forms += [["-\(first)\(letter)", "V"], ["-\(first)\(letter)V"], ["-\(first)\(letter)=V"]]
        }
    }
    return forms
}()

/// Whole lines: several options, `--`, option values and commands that look like options.
private let lines: [[String]] = [
    [],
    ["--"],
    ["-e", "A=1", "--"],
    ["--name", "x", "-it", "--rm", "--cidfile", "f", "--env=A=1", "-p", "80:80"],
    ["--rm=false", "--cidfile=", "-v", "/a:/b", "-w/tmp", "--"],
    ["--entrypoint", "--", "--"],
    ["-e", "-e", "-e", "x"],
    ["--sig-proxy=true", "--stop-signal", "HUP", "--init"],
]

/// Whether `form + [IMAGE] + command` splits the same for dockrun and for fake-docker's `docker run`:
/// the same IMAGE and command, dockrun keeping docker's options word for word, and the command
/// dockrun runs meaning to docker what the user's meant, minus what dockrun does itself.
private func expectSameSplit(_ form: [String], image: String = "img", sourceLocation: SourceLocation = #_sourceLocation) throws {
    let line = form + [image] + command
    let docker = try RunArguments.parse(line)
    guard case .run(let request) = try Invocation.parse(line) else {
        Issue.record("dockrun did not run \(line)", sourceLocation: sourceLocation)
        return
    }
    #expect(request.image == docker.image, "\(line)", sourceLocation: sourceLocation)
    #expect(request.command == docker.command, "\(line)", sourceLocation: sourceLocation)
    #expect(docker.image == image && docker.command == command, "\(line)", sourceLocation: sourceLocation)

    let passedOn = docker.options.filter { !takenByDockrun.contains($0.name) }
    let words = Set(passedOn.flatMap(\.words)).sorted().map { line[$0] }
    #expect(request.dockerOptions == words, "\(line)", sourceLocation: sourceLocation)

    let sent = DockerCommand.run(request, cidfile: "C").arguments
    let received = try RunArguments.parse(Array(sent.dropFirst()))
    #expect(received.image == docker.image && received.command == docker.command, "\(sent)", sourceLocation: sourceLocation)
    let expected = [Meaning(name: "cidfile", value: "C", spelling: "--cidfile")]
        + passedOn.map(Meaning.init)
        + [Meaning(name: "sig-proxy", value: "false", spelling: "--sig-proxy")]
    #expect(received.options.map(Meaning.init) == expected, "\(sent)", sourceLocation: sourceLocation)
}

@Suite("dockrun and docker run split a command line the same way")
struct RunSplitAgreementTests {
    @Test("every option of the table, in every spelling", arguments: everyOption)
    func option(form: [String]) throws {
        try expectSameSplit(form)
    }

    @Test("clusters of shorthands", arguments: clusters)
    func cluster(form: [String]) throws {
        try expectSameSplit(form)
    }

    @Test("whole lines with --, values and commands that look like options", arguments: lines)
    func line(form: [String]) throws {
        try expectSameSplit(form)
    }

    @Test("an IMAGE that looks like an option reaches docker after --, where docker reads it as IMAGE")
    func dashImage() throws {
        try expectSameSplit(["--"], image: "-img")
        try expectSameSplit(["-i", "--"], image: "--rm")
    }

    @Test("dockrun's own options, in each spelling, never reach docker and shift nothing",
          arguments: [["--commit", "out:1"], ["--commit=out:1"], ["-commit", "out:1"], ["-commit=out:1"],
                      ["-rm"], ["-rm=false"], ["-cidfile", "f"], ["-cidfile=f"]])
    func dockrunOwn(own: [String]) throws {
        for form in everyOption + clusters + lines {
            let line = form + ["img"] + command
            guard case .run(let with) = try Invocation.parse(own + line), case .run(let without) = try Invocation.parse(line)
            else { Issue.record("not a run: \(line)"); continue }
            #expect(with.dockerOptions == without.dockerOptions, "\(own + line)")
            #expect(with.image == without.image && with.command == without.command, "\(own + line)")
        }
    }

    @Test("a line docker refuses for its syntax, dockrun refuses too or hands to docker whole",
          arguments: [["--name"], ["-e"], ["-ie"], ["--tty=maybe"], ["-t=maybe"], ["--bogus", "img"], ["-z", "img"],
                      ["-iz", "img"], ["-e", "A", "---x", "img"], ["--rm"], ["-i", "--"]])
    func refused(line: [String]) throws {
        let dockerError: RunArgumentsError
        do {
            _ = try RunArguments.parse(line)
            Issue.record("docker accepted \(line)")
            return
        } catch {
            dockerError = error
        }
        switch dockerError {
        case .syntax(.unknownFlag), .syntax(.unknownShorthand):
            guard case .run(let request) = try Invocation.parse(line) else { Issue.record("not a run"); return }
            #expect(request.image == nil)
            let sent = DockerCommand.run(request, cidfile: "C").arguments
            #expect(throws: dockerError) { try RunArguments.parse(Array(sent.dropFirst())) }
        case .syntax(.missingValue(_, let spelling)):
            #expect(throws: DockrunError.missingValue(option: spelling)) { try Invocation.parse(line) }
        case .syntax(.invalidBool(let spelling, let value)):
            #expect(throws: DockrunError.invalidBool(option: spelling, value: value)) { try Invocation.parse(line) }
        case .noImage:
            #expect(throws: DockrunError.noImage) { try Invocation.parse(line) }
        }
    }
}
