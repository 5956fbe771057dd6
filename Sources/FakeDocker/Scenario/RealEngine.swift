import DockerSyntax
import Foundation
import ProcessSpawn

/// The real engine of `DOCKER_HOST` through the docker CLI on PATH, shared with others: only used (never started,
/// restarted or pulled from). dockrun's DOCKRUN_DOCKER is a relay that logs each call and then becomes the docker
/// CLI (exec: the same process, signals and all).
final class RealEngine: ScenarioEngine {
    let workspace: ScenarioWorkspace
    let dockrunDocker: String
    private let relayLog: String

    init(environment base: [String: String]) throws(ScenarioFailure) {
        workspace = try ScenarioWorkspace(base: base, cli: { path throws(ScenarioFailure) in
            let candidates = path.split(separator: ":").map { (directory: Substring) -> String in directory + "/docker" }
            guard let docker = candidates.first(where: { access($0, X_OK) == 0 }) else {
                throw ScenarioFailure(message: "fake-docker: --engine docker needs the docker CLI on PATH")
            }
            return docker
        }, environment: { _ in base["DOCKER_HOST"].map { ["DOCKER_HOST": $0] } ?? [:] })
        relayLog = workspace.workDirectory + "/calls"
        dockrunDocker = workspace.workDirectory + "/docker"
        // The count first, then each argument NUL-terminated, in one printf: one append per call.
        let relay = "#!/bin/sh\nprintf '%s\\0' \"$#\" \"$@\" >> \(shellQuoted(relayLog))\nexec \(shellQuoted(workspace.cli)) \"$@\"\n"
        guard FileManager.default.createFile(atPath: dockrunDocker, contents: Data(relay.utf8), attributes: [.posixPermissions: 0o755]) else {
            throw ScenarioFailure(message: "fake-docker: cannot write \(dockrunDocker)")
        }
    }

    func provideTestImage(_ reference: String, from source: TestImageSource) throws(ScenarioFailure) {
        if try docker(["image", "inspect", reference]).status != .exited(0) {
            throw ScenarioFailure(message: "fake-docker: the engine has no \(reference) (scripts/test-image.sh import docker)")
        }
    }

    func arm(_ faults: [[String]]) throws(ScenarioFailure) {
        if !faults.isEmpty { throw ScenarioFailure(message: "fake-docker: scripted faults need --engine fake") }
    }

    /// The relay was not used by the set-up: nothing to forget.
    func forgetCalls() {}

    /// What the relay logged.
    func calls() -> [[String]] {
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

    func containerStates(startedBy pid: pid_t) -> [String] {
        let listed = try? docker(["ps", "-a", "--filter", "label=\(RunLabelKey.pid)=\(pid)", "--format", "{{.State}}"])
        return listed?.stdout.split(separator: "\n").map(String.init) ?? []
    }

    /// `ps` is a process of its own: asked less often than the relay's log is read.
    func lookInterval(for trigger: ScenarioEvent.Trigger) -> TimeInterval {
        [.created, .running].contains(trigger) ? 0.05 : 0.002
    }

    func restart(down: Double, liveRestore: Bool) throws(ScenarioFailure) {
        throw ScenarioFailure(message: "fake-docker: an engine restart needs --engine fake (never restart a shared engine)")
    }

    func disarmFaults() {}

    /// dockrun's committed images, only when new and named by the arguments, and the images the world imported:
    /// nobody else's.
    func removeOwnLeftovers(arguments: [String]) {
        let made = ((try? imageReferences()) ?? []).filter { !workspace.imagesBefore.contains($0) && names($0, in: arguments) }
        let images = made + workspace.importedImages
        if !images.isEmpty { _ = try? docker(["rmi", "-f"] + images) }
    }
}
