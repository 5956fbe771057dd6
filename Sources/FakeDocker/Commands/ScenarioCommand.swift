import DockerSyntax
import Foundation
import ProcessSpawn

/// `fake-docker scenario`: regression scenarios kept as SQLite fixtures (docs/scenarios.md).
///   scenario record FILE [--engine fake|docker] [--stdin FILE] [--on EVENT:ACTION]… [--env NAME=VALUE]…
///                        [--container NAME:STATE:COMMAND]… [--fault 'SCRIPT ARGS']… [--file PATH=CONTENT]…
///                        [--image REF=TAR]… -- DOCKRUN ARGS…
///   scenario show FILE
///   scenario replay FILE [--dockrun PATH] [--test-image TAR]
/// It runs apart from the state of FAKE_DOCKER_STATE: a scenario runs in a private state (or on the real
/// engine) and is not in anyone's call log.
enum ScenarioCommand {
    static let usage = """
        Usage:  fake-docker scenario record FILE [--engine fake|docker] [--stdin FILE] [--on TRIGGER[+MS]:ACTION]...
                                        [--env NAME=VALUE]... [--container NAME:STATE:COMMAND]... [--fault 'COMMAND OPTIONS']...
                                        [--file PATH=CONTENT]... [--image REF=TAR]... -- DOCKRUN [ARGS...]
                fake-docker scenario show FILE
                fake-docker scenario replay FILE [--dockrun PATH] [--test-image TAR]
        """

    struct UsageError: Error {
        let message: String
    }

    public static func main(_ args: [String], environment: [String: String]) -> Int32 {
        do {
            switch args.first {
            case "record": return try record(Array(args.dropFirst()), environment: environment)
            case "show": return try show(Array(args.dropFirst()))
            case "replay": return try replay(Array(args.dropFirst()), environment: environment)
            case "--help", "-h": Output.out(usage); return 0
            default: throw UsageError(message: "fake-docker: scenario needs record, show or replay")
            }
        } catch let error as UsageError {
            Output.err(error.message + "\n\n" + usage)
            return 2
        } catch let error as FixtureFile.Failure {
            Output.err(error.message)
            return 1
        } catch let error as ScenarioFailure {
            Output.err(error.message)
            return 1
        } catch {
            Output.err("fake-docker: \(error)")
            return 1
        }
    }

    // MARK: Options

    /// The options before `--` (each `--name VALUE` or `--name=VALUE`, all taking a value), read by the CLI's one
    /// tokenizer; the words that are not options; and everything after `--`, which is dockrun's.
    private static func options(_ args: [String], valued: Set<String>) throws(UsageError)
        -> (values: [(String, String)], words: [String], rest: [String]) {
        var tokens = OptionTokenizer(args, grammar: OptionGrammar(booleans: [], values: valued),
                                     positionals: .interspersed, unknownOptions: .fail)
        var values: [(String, String)] = [], words: [String] = []
        // The word after the last one read: a `--` there (not an option's value) ends the options.
        var read = 0
        do {
            while read < args.count && args[read] != "--", let token = try tokens.next() {
                switch token {
                case .option(let option):
                    values.append((option.name, option.value ?? ""))
                    read = option.words.upperBound
                case .argument(let index):
                    words.append(args[index])
                    read = index + 1
                case .unknownOption:
                    preconditionFailure("unknown options fail")
                }
            }
        } catch {
            throw UsageError(message: "fake-docker: scenario: \(error.dockerMessage)")
        }
        return (values, words, read < args.count ? Array(args[(read + 1)...]) : [])
    }

    private static func file(_ words: [String]) throws(UsageError) -> String {
        guard words.count == 1 else { throw UsageError(message: "fake-docker: scenario: give one FILE") }
        return words[0]
    }

    // MARK: record

    static func record(_ args: [String], environment: [String: String]) throws -> Int32 {
        let parsed = try options(args, valued: ["engine", "stdin", "on", "env", "container", "fault", "file", "image", "test-image"])
        let path = try file(parsed.words)
        guard let dockrun = parsed.rest.first else { throw UsageError(message: "fake-docker: scenario record: give -- DOCKRUN [ARGS...]") }
        let value = { (name: String) in parsed.values.filter { $0.0 == name }.map(\.1) }
        guard let kind = ScenarioEngineKind(rawValue: value("engine").last ?? "fake") else {
            throw UsageError(message: "fake-docker: scenario record: --engine is fake or docker")
        }
        var world = Scenario.World()
        world.images = [Scenario.World.Image(reference: Scenario.testImage, rootfsTar: nil, changes: [])]
        for spec in value("image") {
            guard let equals = spec.firstIndex(of: "="), let tar = FileManager.default.contents(atPath: String(spec[spec.index(after: equals)...])) else {
                throw UsageError(message: "fake-docker: scenario record: --image REF=TAR, TAR a readable root filesystem tar: \(spec)")
            }
            world.images.append(Scenario.World.Image(reference: String(spec[..<equals]), rootfsTar: Array(tar), changes: [#"CMD ["sh"]"#]))
        }
        for spec in value("container") {
            let parts = spec.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, ["created", "running", "exited"].contains(parts[1]) else {
                throw UsageError(message: "fake-docker: scenario record: --container NAME:created|running|exited:COMMAND: \(spec)")
            }
            world.containers.append(Scenario.World.Container(name: parts[0], state: parts[1], command: parts[2]))
        }
        for spec in value("fault") {
            guard let words = ShellWords.split(spec) else { throw UsageError(message: "fake-docker: scenario record: --fault: unbalanced quotes: \(spec)") }
            world.faults.append(words)
        }
        for spec in value("file") {
            guard let equals = spec.firstIndex(of: "=") else { throw UsageError(message: "fake-docker: scenario record: --file PATH=CONTENT: \(spec)") }
            world.files.append(Scenario.World.File(path: String(spec[..<equals]), content: Array(spec[spec.index(after: equals)...].utf8)))
        }
        var invocation = Scenario.Invocation(arguments: Array(parsed.rest.dropFirst()))
        for spec in value("env") {
            guard let equals = spec.firstIndex(of: "=") else { throw UsageError(message: "fake-docker: scenario record: --env NAME=VALUE: \(spec)") }
            invocation.environment.append((String(spec[..<equals]), String(spec[spec.index(after: equals)...])))
        }
        if let stdin = value("stdin").last {
            guard let bytes = FileManager.default.contents(atPath: stdin) else { throw UsageError(message: "fake-docker: scenario record: cannot read \(stdin)") }
            invocation.stdin = Array(bytes)
        }
        do {
            invocation.events = try value("on").map { spec throws(ScenarioEvent.Unreadable) in try ScenarioEvent(parsing: spec) }
        } catch {
            throw UsageError(message: "fake-docker: scenario record: \(error.message)")
        }

        let engine = try kind.engine(environment: environment)
        // Space-separated: the docker CLI runs a version template through a tab writer, which expands tabs.
        let versions = try engine.docker(["version", "--format", "{{.Server.Version}} {{.Client.Version}}"]).stdout
            .trimmingCharacters(in: .newlines).split(separator: " ").map(String.init)
        let recording = Scenario.Recording(engine: kind.rawValue, clientVersion: versions.last ?? "", serverVersion: versions.first ?? "",
                                           recordedAt: ISO8601DateFormatter().string(from: Date()))
        let run = ScenarioRun(engine: engine, dockrun: resolved(dockrun, path: environment["PATH"] ?? ""),
                              testImage: .locate(rootfsTar: value("test-image").last))
        let outcome = try run.run(world: world, invocation: invocation)
        let scenario = Scenario(recording: recording, world: world, invocation: invocation, outcome: outcome)
        try FixtureFile.write(scenario, to: path)
        Output.out(ScenarioReport.describe(scenario, path: path))
        return 0
    }

    private static func resolved(_ program: String, path: String) -> String {
        if program.contains("/") { return program }
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { access($0, X_OK) == 0 } ?? program
    }

    // MARK: show

    static func show(_ args: [String]) throws -> Int32 {
        let path = try file(try options(args, valued: []).words)
        Output.out(ScenarioReport.describe(try FixtureFile.read(path), path: path))
        return 0
    }

    // MARK: replay

    /// Replays on fake-docker, in a private state; nothing on stdout and 0 when the outcome is the one
    /// recorded, else the differences and 1.
    static func replay(_ args: [String], environment: [String: String]) throws -> Int32 {
        let parsed = try options(args, valued: ["dockrun", "test-image"])
        let path = try file(parsed.words)
        let scenario = try FixtureFile.read(path)
        let value = { (name: String) in parsed.values.last { $0.0 == name }?.1 }
        let dockrun = value("dockrun") ?? ((Launcher.selfExecutable() as NSString).deletingLastPathComponent + "/dockrun")
        let engine = try ScenarioEngineKind.fake.engine(environment: environment)
        let run = ScenarioRun(engine: engine, dockrun: dockrun, testImage: .locate(rootfsTar: value("test-image")))
        let replayed = try run.run(world: scenario.world, invocation: scenario.invocation)
        let differences = ScenarioReport.differences(recorded: scenario.outcome, replayed: replayed)
        guard !differences.isEmpty else { return 0 }
        let engineName = scenario.recording.engine == "fake" ? "fake-docker" : "Docker Engine \(scenario.recording.serverVersion)"
        Output.out("scenario \(path) (recorded on \(engineName)): the replay differs (- recorded, + replayed)")
        Output.out("  dockrun \(shellQuoted(scenario.invocation.arguments))")
        for line in differences { Output.out("  " + line) }
        return 1
    }
}
