import Foundation
import Glibc
import Testing

/// One test's world: a private directory, its own fake-docker state, a label that every container it
/// makes carries, and a clean-up that removes all of it even when the test fails.
final class Sandbox: Sendable {
    let engine = Engine.current
    /// Unique per test; the value of the `dockrun-test` label and the stem of names.
    let id: String
    let directory: String
    let environment: [String: String]

    static let labelKey = "dockrun-test"
    var label: String { "\(Self.labelKey)=\(id)" }
    /// Options that mark a container as this test's, so clean-up finds it on a shared real engine.
    var tag: [String] { ["--label", label] }
    var image: String { Engine.image }

    private init() throws {
        id = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let template = FileManager.default.temporaryDirectory.path + "/dockrun-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw SpawnError(program: "mkdtemp", errno: errno) }
        directory = String(cString: made)
        var env = ProcessInfo.processInfo.environment
        if Engine.current.isFake { env["FAKE_DOCKER_STATE"] = directory + "/state.sqlite" }
        environment = env
    }

    /// Runs `body` in a fresh sandbox and cleans up afterwards, whatever happened.
    static func with<T>(_ body: (Sandbox) async throws -> T) async throws -> T {
        let sandbox = try Sandbox()
        defer { sandbox.cleanUp() }
        try await sandbox.prepareImage()
        return try await body(sandbox)
    }

    private func prepareImage() async throws {
        guard engine.isFake else { return }
        let importer = try ChildProcess(TestImage.importCommand(cli: engine.cli), ChildProcess.Options(environment: environment))
        let imported = try await importer.finish()
        guard imported.code == 0 else { throw SetupError(what: "fake-docker import: \(imported)") }
    }

    struct SetupError: Error, CustomStringConvertible {
        let what: String
        var description: String { what }
    }

    // MARK: Running things

    /// A unique container name for this test.
    func name(_ suffix: String = "c") -> String { "dkt-\(id)-\(suffix)" }

    /// A unique image repository for this test; the image is removed at clean-up.
    func repository(_ suffix: String = "img") -> String { "dockrun-test/commit-\(id)-\(suffix)" }

    /// A path inside the sandbox directory.
    func path(_ name: String) -> String { directory + "/" + name }

    /// Starts the engine CLI (docker or fake-docker).
    func startDocker(_ args: [String], stdin: [UInt8]? = nil, keepStdinOpen: Bool = false,
                     environment extra: [String: String] = [:]) throws -> ChildProcess {
        var options = ChildProcess.Options(environment: environment.merging(extra) { $1 })
        options.stdin = stdin
        options.keepStdinOpen = keepStdinOpen
        return try ChildProcess([engine.cli] + args, options)
    }

    /// Runs the engine CLI to completion.
    func docker(_ args: [String], stdin: [UInt8]? = nil, environment extra: [String: String] = [:],
                timeout: Double = 60) async throws -> Outcome {
        try await startDocker(args, stdin: stdin, environment: extra).finish(timeout: timeout)
    }

    /// Starts the built dockrun with DOCKRUN_DOCKER pointing at the engine CLI.
    func startDockrun(_ args: [String], stdin: [UInt8]? = nil, keepStdinOpen: Bool = false,
                      environment extra: [String: String] = [:], newProcessGroup: Bool = false,
                      keepStdout: Bool = true, sampleMemory: Bool = false, terminal: Bool = false) throws -> ChildProcess {
        var env = environment
        env["DOCKRUN_DOCKER"] = engine.cli
        let options = ChildProcess.Options(environment: env.merging(extra) { $1 }, stdin: stdin, keepStdinOpen: keepStdinOpen,
                                           newProcessGroup: newProcessGroup, keepStdout: keepStdout,
                                           sampleMemory: sampleMemory, terminal: terminal)
        return try ChildProcess([Products.path("dockrun")] + args, options)
    }

    func dockrun(_ args: [String], stdin: [UInt8]? = nil, environment extra: [String: String] = [:],
                 timeout: Double = 60) async throws -> Outcome {
        try await startDockrun(args, stdin: stdin, environment: extra).finish(timeout: timeout)
    }

    // MARK: Looking at the engine

    /// IDs (12 hex) of every container carrying this test's label, newest first.
    func containers() async throws -> [String] {
        let listed = try await docker(["ps", "-aq", "--filter", "label=\(label)"])
        #expect(listed.code == 0, "ps: \(listed)")
        return listed.out.split(separator: "\n").map(String.init)
    }

    /// `docker inspect -f TEMPLATE X`, trimmed; nil when inspect fails.
    func inspect(_ object: String, _ template: String) async throws -> String? {
        let inspected = try await docker(["inspect", "-f", template, object])
        guard inspected.code == 0 else { return nil }
        return inspected.out.trimmingCharacters(in: .newlines)
    }

    func imageExists(_ reference: String) async throws -> Bool {
        try await docker(["image", "inspect", reference]).code == 0
    }

    /// Arranges for the engine to be unreachable for the commands this sandbox runs: on fake-docker its
    /// scripted daemon-down; on the real engine a DOCKER_HOST socket that nothing listens on. Returns the
    /// environment to pass to the commands.
    func daemonDown() async throws -> [String: String] {
        if engine.isFake {
            let armed = try await docker(["script", "--daemon-down"])
            #expect(armed.code == 0, "script --daemon-down: \(armed)")
            return [:]
        }
        return ["DOCKER_HOST": "unix://" + path("no-daemon.sock")]
    }

    /// Fake-docker's call log, oldest first.
    func calls() async throws -> [LoggedCall] {
        let log = try await docker(["calls"])
        #expect(log.code == 0, "calls: \(log)")
        return try LoggedCall.parse(log.out)
    }

    /// Restarts the engine: stops it, leaves it down `down` seconds, starts it again, and returns once it answers
    /// (`fake-docker script --restart`, or scripts/engine-restart.sh on a real engine the test may restart). With
    /// live-restore the containers run on through the gap; without it the engine stops them on its way down.
    func restartEngine(down: Double, liveRestore: Bool) async throws {
        let restarted: Outcome
        if engine.isFake {
            restarted = try await docker(["script", "--restart", "--down", String(down)] + (liveRestore ? ["--live-restore"] : []))
        } else {
            precondition(engine.canRestart(liveRestore: liveRestore), "this engine may not be restarted so")
            var environment = self.environment
            environment["DOCKRUN_ENGINE_DIR"] = Engine.restartDirectory
            restarted = try await ChildProcess(["bash", Repository.script("engine-restart.sh"), "--down", String(down)],
                                               ChildProcess.Options(environment: environment)).finish(timeout: 120)
        }
        #expect(restarted.code == 0, "engine restart: \(restarted)")
    }

    /// Arms a fake-docker fault (`fake-docker script ...`).
    func script(_ args: [String]) async throws {
        let armed = try await docker(["script"] + args)
        #expect(armed.code == 0, "script \(args): \(armed)")
    }

    // MARK: Clean-up

    /// Synchronous so it can run from a `defer`: removes this test's containers (by label) with their anonymous
    /// volumes, its named volumes (named after `name()`), and images, then its directory. On fake-docker every
    /// container in the private state is the test's.
    private func cleanUp() {
        let filter = engine.isFake ? ["ps", "-aq"] : ["ps", "-aq", "--filter", "label=\(label)"]
        let ids = blocking(filter).split(separator: "\n").map(String.init)
        if !ids.isEmpty { _ = blocking(["rm", "-f", "-v"] + ids) }
        let volumes = blocking(["volume", "ls", "-q", "--filter", "name=dkt-\(id)-"]).split(separator: "\n").map(String.init)
        if !volumes.isEmpty { _ = blocking(["volume", "rm", "-f"] + volumes) }
        let images = blocking(["images", "--format", "{{.Repository}}:{{.Tag}}"])
            .split(separator: "\n").map(String.init)
            .filter { $0.contains("commit-\(id)") || $0.contains("dockrun-test-\(id)") }
        if !images.isEmpty { _ = blocking(["rmi", "-f"] + images) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func blocking(_ args: [String]) -> String {
        (try? ChildProcess.runBlocking([engine.cli] + args, ChildProcess.Options(environment: environment)))?.out ?? ""
    }
}

/// Matches a whole string against a regular expression (for IDs and other values the contract gives as a
/// shape).
func matches(_ text: String, _ pattern: String) -> Bool {
    text.range(of: "^(?:" + pattern + ")$", options: .regularExpression) != nil
}

let hex64 = "[0-9a-f]{64}"
let hex12 = "[0-9a-f]{12}"
