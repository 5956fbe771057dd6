import DockerSyntax
import Foundation
import ProcessSpawn

struct ScenarioFailure: Error {
    let message: String
}

/// The engine a scenario runs on, behind what differs between its two sides: `FakeEngine` (fake-docker with a
/// state of its own, faults and restarts scripted) and `RealEngine` (the engine of `DOCKER_HOST`, shared:
/// everything made there is labelled or named by the scenario and removed afterwards). What both do through the
/// engine's CLI — setting the world up, looking at what is left, cleaning up — is written once, below.
protocol ScenarioEngine: AnyObject {
    /// The private place the run happens in, and the engine's CLI.
    var workspace: ScenarioWorkspace { get }
    /// What dockrun gets as DOCKRUN_DOCKER: a docker CLI whose calls can be read back.
    var dockrunDocker: String { get }
    /// Makes the test image there (fake-docker) or checks that it is (a shared engine is never pulled from).
    func provideTestImage(_ reference: String, from source: TestImageSource) throws(ScenarioFailure)
    /// Arms the world's faults (`fake-docker script` calls), in order.
    func arm(_ faults: [[String]]) throws(ScenarioFailure)
    /// Forgets the calls the set-up made, so that `calls()` holds dockrun's alone.
    func forgetCalls() throws(ScenarioFailure)
    /// The docker calls dockrun (and its guardian) started so far, oldest first.
    func calls() -> [[String]]
    /// The states of the containers dockrun `pid` started (they carry its `io.dockrun.pid` label).
    func containerStates(startedBy pid: pid_t) -> [String]
    /// How long an event waiting for the engine's state waits before it asks again.
    func lookInterval(for trigger: ScenarioEvent.Trigger) -> TimeInterval
    /// `fake-docker script --restart`, as an event's action.
    func restart(down: Double, liveRestore: Bool) throws(ScenarioFailure)
    /// Disarms what is left of the faults (a daemon that is down, an engine still restarting), so that what
    /// dockrun left can be looked at; after the calls have been read, since it is a call itself.
    func disarmFaults() throws(ScenarioFailure)
    /// Removes what only this side knows to be the scenario's, after the world's and dockrun's containers.
    func removeOwnLeftovers(arguments: [String])
}

enum ScenarioEngineKind: String {
    case fake, docker

    func engine(environment: [String: String]) throws(ScenarioFailure) -> any ScenarioEngine {
        switch self {
        case .fake: try FakeEngine(environment: environment)
        case .docker: try RealEngine(environment: environment)
        }
    }
}

/// What a scenario's engine works in: a private directory (fake-docker's state, the call relay, dockrun's
/// TMPDIR), the engine's CLI and its environment, the label of the world's containers, and what the set-up made.
final class ScenarioWorkspace {
    let workDirectory: String
    /// dockrun's TMPDIR: its private cidfile directory is made here, and the files left are looked for here.
    let tmpDirectory: String
    /// The engine's CLI: this fake-docker, or the docker CLI on PATH.
    let cli: String
    /// The environment of the CLI's calls and the base of dockrun's.
    let environment: [String: String]
    /// Marks the world's containers, so that they are found (and removed) on a shared engine.
    let worldLabel = "io.dockrun.scenario=" + randomHexID().prefix(16)
    var importedImages: [String] = []
    var imagesBefore: Set<String> = []

    /// A new private directory; `environment(workDirectory)` gives the CLI's environment beyond PATH and HOME.
    init(base: [String: String], cli: (_ path: String) throws(ScenarioFailure) -> String,
         environment extra: (_ workDirectory: String) -> [String: String]) throws(ScenarioFailure) {
        var template = Array((FileManager.default.temporaryDirectory.path + "/fake-docker-scenario-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ScenarioFailure(message: "fake-docker: cannot make a temporary directory: \(String(cString: strerror(errno)))")
        }
        workDirectory = String(cString: made)
        tmpDirectory = workDirectory + "/tmp"
        mkdir(tmpDirectory, 0o700)
        var environment = ["PATH": base["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "HOME": base["HOME"] ?? workDirectory]
        environment.merge(extra(workDirectory)) { $1 }
        self.environment = environment
        self.cli = try cli(environment["PATH"]!)
    }
}

extension ScenarioEngine {
    var environment: [String: String] { workspace.environment }
    var tmpDirectory: String { workspace.tmpDirectory }
    var workDirectory: String { workspace.workDirectory }

    /// Runs the engine's CLI to its end.
    @discardableResult
    func docker(_ args: [String], stdin: [UInt8] = []) throws(ScenarioFailure) -> (status: ExitStatus, stdout: String, stderr: String) {
        do {
            let ran = try CapturedProcess.run([workspace.cli] + args, environment: workspace.environment, stdin: stdin)
            return (ran.status, String(decoding: ran.stdout, as: UTF8.self), String(decoding: ran.stderr, as: UTF8.self))
        } catch {
            throw ScenarioFailure(message: "fake-docker: cannot run \(workspace.cli): \(error.text)")
        }
    }

    func must(_ args: [String], stdin: [UInt8] = [], _ what: String) throws(ScenarioFailure) -> String {
        let ran = try docker(args, stdin: stdin)
        guard ran.status == .exited(0) else {
            throw ScenarioFailure(message: "fake-docker: setting the world up: \(what): \(shellQuoted(args)): \(ran.status): \(ran.stderr.split(separator: "\n").first ?? "")")
        }
        return ran.stdout
    }

    // MARK: The world

    /// Imports the images, makes the containers and files, arms the faults, and then forgets the calls
    /// that took, so that the call log holds dockrun's alone.
    func setUp(_ world: Scenario.World, testImage: TestImageSource) throws(ScenarioFailure) {
        for (index, image) in world.images.enumerated() {
            if let tar = image.rootfsTar {
                let file = workDirectory + "/image-\(index).tar"
                guard FileManager.default.createFile(atPath: file, contents: Data(tar)) else { throw ScenarioFailure(message: "fake-docker: cannot write \(file)") }
                _ = try must(["import"] + image.changes.flatMap { ["-c", $0] } + [file, image.reference], "import \(image.reference)")
                workspace.importedImages.append(image.reference)
            } else {
                try provideTestImage(image.reference, from: testImage)
            }
        }
        for c in world.containers {
            let create = ["--name", c.name, "--label", workspace.worldLabel, Scenario.testImage, "sh", "-c", c.command]
            switch c.state {
            case "created": _ = try must(["create"] + create, "container \(c.name)")
            case "running": _ = try must(["run", "-d"] + create, "container \(c.name)")
            default: _ = try docker(["run"] + create)
            }
        }
        for file in world.files {
            var content = String(decoding: file.content, as: UTF8.self)
            for c in world.containers where content.contains("${ID:\(c.name)}") {
                let id = try must(["inspect", "-f", "{{.Id}}", c.name], "the ID of \(c.name)").trimmingCharacters(in: .newlines)
                content = content.replacingOccurrences(of: "${ID:\(c.name)}", with: id)
            }
            let path = tmpDirectory + "/" + file.path
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data(content.utf8)) else { throw ScenarioFailure(message: "fake-docker: cannot write \(path)") }
        }
        workspace.imagesBefore = Set(try imageReferences())
        // Armed last: the set-up's own commands must neither use up a fault nor meet a daemon that is down.
        try arm(world.faults)
        try forgetCalls()
    }

    // MARK: What is left

    /// The IDs of the world's containers and of those dockrun `pid` started.
    func scenarioContainers(startedBy pid: pid_t) throws(ScenarioFailure) -> [String] {
        var ids: [String] = []
        for label in ["\(RunLabelKey.pid)=\(pid)", workspace.worldLabel] {
            ids += try must(["ps", "-aq", "--no-trunc", "--filter", "label=\(label)"], "ps").split(separator: "\n").map(String.init)
        }
        return ids
    }

    /// The containers left, each as `inspect` shows it (its name without the '/').
    func leftContainers(startedBy pid: pid_t) throws(ScenarioFailure) -> [Scenario.Outcome.Container] {
        var left: [Scenario.Outcome.Container] = []
        for id in try scenarioContainers(startedBy: pid) {
            let fields = try docker(["inspect", "-f", "{{.Name}}\t{{.State.Status}}\t{{.State.ExitCode}}\t{{.Config.Image}}", id])
                .stdout.trimmingCharacters(in: .newlines).split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { continue }
            left.append(Scenario.Outcome.Container(name: String(fields[0].drop { $0 == "/" }), status: fields[1],
                                                   exitCode: Int32(fields[2]) ?? -1, image: fields[3]))
        }
        return left
    }

    func imageReferences() throws(ScenarioFailure) -> [String] {
        try must(["images", "--format", "{{.Repository}}:{{.Tag}}"], "images").split(separator: "\n").map(String.init)
    }

    /// The images left that are the scenario's: the world's, and those new since the start whose
    /// repository an argument names (a commit's) — on a shared engine, nobody else's.
    func leftImages(world: Scenario.World, arguments: [String]) throws(ScenarioFailure) -> [String] {
        let worldReferences = Set(world.images.map { StateStore.normalizedTag($0.reference) })
        return try imageReferences().filter { reference in
            worldReferences.contains(reference) || (!workspace.imagesBefore.contains(reference) && names(reference, in: arguments))
        }.sorted()
    }

    func names(_ reference: String, in arguments: [String]) -> Bool {
        let repository = reference.hasSuffix(":latest") ? String(reference.dropLast(7)) : reference
        return arguments.contains { $0 == reference || $0 == repository || $0.hasSuffix("=" + reference) || $0.hasSuffix("=" + repository) }
    }

    /// Every file and directory left in dockrun's TMPDIR, by path relative to it (directories end in
    /// `/`), with the content of a small regular file.
    func leftFiles() -> [(path: String, content: String?)] {
        guard let walker = FileManager.default.enumerator(atPath: tmpDirectory) else { return [] }
        var files: [(path: String, content: String?)] = []
        while let relative = walker.nextObject() as? String {
            let path = tmpDirectory + "/" + relative
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                files.append((relative + "/", nil))
            } else {
                let data = FileManager.default.contents(atPath: path)
                files.append((relative, data.flatMap { $0.count <= 4096 ? String(decoding: $0, as: UTF8.self) : nil }))
            }
        }
        return files
    }

    // MARK: Clean-up

    /// Removes what the scenario made: its containers (running ones included) and images on the engine,
    /// then the private directory.
    func cleanUp(dockrunPID: pid_t?, arguments: [String], world: Scenario.World) {
        var ids = (try? docker(["ps", "-aq", "--filter", "label=\(workspace.worldLabel)"]).stdout.split(separator: "\n").map(String.init)) ?? []
        if let pid = dockrunPID { ids += (try? scenarioContainers(startedBy: pid)) ?? [] }
        if !ids.isEmpty { _ = try? docker(["rm", "-f"] + ids) }
        removeOwnLeftovers(arguments: arguments)
        try? FileManager.default.removeItem(atPath: workDirectory)
    }
}
