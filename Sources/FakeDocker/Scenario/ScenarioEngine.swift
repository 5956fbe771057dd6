import DockerSyntax
import Foundation
import ProcessSpawn

/// The engine a scenario runs on, with the private place it runs in: fake-docker with a state of its
/// own, or the real engine of `DOCKER_HOST` (shared: everything made there is labelled or named by the
/// scenario and removed afterwards). It sets the world up through the engine's CLI, shows dockrun a
/// docker CLI whose calls it can read back, and looks at what is left.
final class ScenarioEngine {
    enum Kind: String { case fake, docker }

    struct Failure: Error {
        let message: String
    }

    let kind: Kind
    /// Private to this run: fake-docker's state, the call relay, dockrun's TMPDIR.
    let workDirectory: String
    /// dockrun's TMPDIR: its private cidfile directory is made here, and the files left are looked for here.
    let tmpDirectory: String
    /// The engine's CLI: this fake-docker, or the docker CLI on PATH.
    let cli: String
    /// What dockrun gets as DOCKRUN_DOCKER: this fake-docker (its call log records each call), or a relay
    /// that logs each call and then becomes the docker CLI (exec: the same process, signals and all).
    let dockrunDocker: String
    /// The environment of the CLI's calls and the base of dockrun's.
    let environment: [String: String]
    /// Marks the world's containers, so that they are found (and removed) on a shared engine.
    let worldLabel = "io.dockrun.scenario=" + randomHexID().prefix(16)
    private let store: StateStore?
    private let relayLog: String
    private var importedImages: [String] = []
    private var imagesBefore: Set<String> = []

    init(kind: Kind, environment base: [String: String]) throws(Failure) {
        self.kind = kind
        var template = Array((FileManager.default.temporaryDirectory.path + "/fake-docker-scenario-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(message: "fake-docker: cannot make a temporary directory: \(String(cString: strerror(errno)))") }
        workDirectory = String(cString: made)
        tmpDirectory = workDirectory + "/tmp"
        relayLog = workDirectory + "/calls"
        mkdir(tmpDirectory, 0o700)
        var environment = ["PATH": base["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "HOME": base["HOME"] ?? workDirectory]
        switch kind {
        case .fake:
            cli = Launcher.selfExecutable()
            dockrunDocker = cli
            environment["FAKE_DOCKER_STATE"] = workDirectory + "/state.sqlite"
            do {
                store = try StateStore(path: workDirectory + "/state.sqlite")
            } catch {
                throw Failure(message: error.message)
            }
        case .docker:
            guard let docker = Self.onPath("docker", environment["PATH"]!) else {
                throw Failure(message: "fake-docker: --engine docker needs the docker CLI on PATH")
            }
            cli = docker
            if let host = base["DOCKER_HOST"] { environment["DOCKER_HOST"] = host }
            dockrunDocker = workDirectory + "/docker"
            // The count first, then each argument NUL-terminated, in one printf: one append per call.
            let relay = "#!/bin/sh\nprintf '%s\\0' \"$#\" \"$@\" >> \(shellQuoted(relayLog))\nexec \(shellQuoted(docker)) \"$@\"\n"
            guard FileManager.default.createFile(atPath: dockrunDocker, contents: Data(relay.utf8), attributes: [.posixPermissions: 0o755]) else {
                throw Failure(message: "fake-docker: cannot write \(dockrunDocker)")
            }
            store = nil
        }
        self.environment = environment
    }

    private static func onPath(_ name: String, _ path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// Runs the engine's CLI to its end.
    @discardableResult
    func docker(_ args: [String], stdin: [UInt8] = []) throws(Failure) -> (status: ExitStatus, stdout: String, stderr: String) {
        do {
            let ran = try CapturedProcess.run([cli] + args, environment: environment, stdin: stdin)
            return (ran.status, String(decoding: ran.stdout, as: UTF8.self), String(decoding: ran.stderr, as: UTF8.self))
        } catch {
            throw Failure(message: "fake-docker: cannot run \(cli): \(error.text)")
        }
    }

    private func must(_ args: [String], stdin: [UInt8] = [], _ what: String) throws(Failure) -> String {
        let ran = try docker(args, stdin: stdin)
        guard ran.status == .exited(0) else {
            throw Failure(message: "fake-docker: setting the world up: \(what): \(shellQuoted(args)): \(ran.status): \(ran.stderr.split(separator: "\n").first ?? "")")
        }
        return ran.stdout
    }

    // MARK: The world

    /// Imports the images, makes the containers and files, arms the faults, and then forgets the calls
    /// that took, so that the call log holds dockrun's alone.
    func setUp(_ world: Scenario.World, testImage: TestImageSource) throws(Failure) {
        for (index, image) in world.images.enumerated() {
            if let tar = image.rootfsTar {
                let file = workDirectory + "/image-\(index).tar"
                guard FileManager.default.createFile(atPath: file, contents: Data(tar)) else { throw Failure(message: "fake-docker: cannot write \(file)") }
                _ = try must(["import"] + image.changes.flatMap { ["-c", $0] } + [file, image.reference], "import \(image.reference)")
                importedImages.append(image.reference)
            } else if kind == .fake {
                try testImage.importImage(cli: cli, environment: environment)
            } else if try docker(["image", "inspect", image.reference]).status != .exited(0) {
                throw Failure(message: "fake-docker: the engine has no \(image.reference) (scripts/test-image.sh import docker)")
            }
        }
        for c in world.containers {
            let create = ["--name", c.name, "--label", worldLabel, Scenario.testImage, "sh", "-c", c.command]
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
            guard FileManager.default.createFile(atPath: path, contents: Data(content.utf8)) else { throw Failure(message: "fake-docker: cannot write \(path)") }
        }
        if !world.faults.isEmpty && kind != .fake {
            throw Failure(message: "fake-docker: scripted faults need --engine fake")
        }
        imagesBefore = Set(try imageReferences())
        // Armed last: the set-up's own commands must neither use up a fault nor meet a daemon that is down.
        for fault in world.faults { _ = try must(["script"] + fault, "script \(shellQuoted(fault))") }
        do { try store?.clearCalls() } catch { throw Failure(message: "fake-docker: \(error)") }
    }

    // MARK: Watching the run

    /// The docker calls dockrun (and its guardian) started so far, oldest first: fake-docker's call log
    /// (without the scenario's own `script` calls), or what the relay logged.
    func calls() -> [[String]] {
        if let store {
            return ((try? store.calls()) ?? []).map(\.argv).filter { $0.first != "script" }
        }
        guard let bytes = FileManager.default.contents(atPath: relayLog) else { return [] }
        var words = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }[...]
        var calls: [[String]] = []
        // A record still being appended is incomplete: it is read on the next look.
        while let count = words.first.flatMap({ Int($0) }), words.count > count {
            calls.append(Array(words.dropFirst().prefix(count)))
            words = words.dropFirst(count + 1)
        }
        return calls
    }

    /// The states of the containers dockrun `pid` started (they carry its `io.dockrun.pid` label).
    func containerStates(startedBy pid: pid_t) -> [String] {
        if let store {
            return ((try? store.containerSummaries()) ?? []).filter { summary in
                (try? JSONCoding.decode([String: String].self, summary.labelsJSON))?[RunLabelKey.pid] == String(pid)
            }.map(\.status.rawValue)
        }
        let listed = try? docker(["ps", "-a", "--filter", "label=\(RunLabelKey.pid)=\(pid)", "--format", "{{.State}}"])
        return listed?.stdout.split(separator: "\n").map(String.init) ?? []
    }

    /// How long an event waiting for the engine's state waits before it asks again: a real engine's `ps` is a
    /// process of its own, so it is asked less often than fake-docker's state file is read.
    func lookInterval(for trigger: ScenarioEvent.Trigger) -> TimeInterval {
        kind == .docker && [.created, .running].contains(trigger) ? 0.05 : 0.002
    }

    /// `fake-docker script --restart`, as an event's action.
    func restart(down: Double, liveRestore: Bool) throws(Failure) {
        guard kind == .fake else { throw Failure(message: "fake-docker: an engine restart needs --engine fake (never restart a shared engine)") }
        _ = try must(["script", "--restart", "--down", String(down)] + (liveRestore ? ["--live-restore"] : []), "restart")
    }

    // MARK: What is left

    /// Disarms what is left of the faults (a daemon that is down, an engine still restarting), so that what
    /// dockrun left can be looked at; after the calls have been read, since it is a call itself.
    func disarmFaults() throws(Failure) {
        if kind == .fake { _ = try must(["script", "--clear"], "script --clear") }
    }

    /// The IDs of the world's containers and of those dockrun `pid` started.
    func scenarioContainers(startedBy pid: pid_t) throws(Failure) -> [String] {
        var ids: [String] = []
        for label in ["\(RunLabelKey.pid)=\(pid)", worldLabel] {
            ids += try must(["ps", "-aq", "--no-trunc", "--filter", "label=\(label)"], "ps").split(separator: "\n").map(String.init)
        }
        return ids
    }

    /// The containers left, each as `inspect` shows it (its name without the '/').
    func leftContainers(startedBy pid: pid_t) throws(Failure) -> [Scenario.Outcome.Container] {
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

    func imageReferences() throws(Failure) -> [String] {
        try must(["images", "--format", "{{.Repository}}:{{.Tag}}"], "images").split(separator: "\n").map(String.init)
    }

    /// The images left that are the scenario's: the world's, and those new since the start whose
    /// repository an argument names (a commit's) — on a shared engine, nobody else's.
    func leftImages(world: Scenario.World, arguments: [String]) throws(Failure) -> [String] {
        let worldReferences = Set(world.images.map { StateStore.normalizedTag($0.reference) })
        return try imageReferences().filter { reference in
            worldReferences.contains(reference) || (!imagesBefore.contains(reference) && Self.names(reference, in: arguments))
        }.sorted()
    }

    private static func names(_ reference: String, in arguments: [String]) -> Bool {
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
    /// then the private directory. dockrun's committed images are removed on a shared engine only when new
    /// and named by the arguments; fake-docker's are in the private state.
    func cleanUp(dockrunPID: pid_t?, arguments: [String], world: Scenario.World) {
        var ids = (try? docker(["ps", "-aq", "--filter", "label=\(worldLabel)"]).stdout.split(separator: "\n").map(String.init)) ?? []
        if let pid = dockrunPID { ids += (try? scenarioContainers(startedBy: pid)) ?? [] }
        if kind == .fake { ids += (try? docker(["ps", "-aq"]).stdout.split(separator: "\n").map(String.init)) ?? [] }
        if !ids.isEmpty { _ = try? docker(["rm", "-f"] + ids) }
        if kind == .docker {
            let made = ((try? imageReferences()) ?? []).filter { !imagesBefore.contains($0) && Self.names($0, in: arguments) }
            let images = made + importedImages
            if !images.isEmpty { _ = try? docker(["rmi", "-f"] + images) }
        }
        try? FileManager.default.removeItem(atPath: workDirectory)
    }
}
