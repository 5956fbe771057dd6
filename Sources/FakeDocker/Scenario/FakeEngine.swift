import DockerSyntax
import Foundation
import ProcessSpawn

/// fake-docker with a state of its own in the scenario's private directory: dockrun's DOCKRUN_DOCKER is this
/// fake-docker, whose call log records each call; faults and engine restarts are `fake-docker script` calls.
final class FakeEngine: ScenarioEngine {
    let workspace: ScenarioWorkspace
    let dockrunDocker: String
    private let store: StateStore

    init(environment base: [String: String]) throws(ScenarioFailure) {
        workspace = try ScenarioWorkspace(base: base, cli: { _ in Launcher.selfExecutable() },
                                          environment: { ["FAKE_DOCKER_STATE": $0 + "/state.sqlite"] })
        dockrunDocker = workspace.cli
        do {
            store = try StateStore(path: workspace.workDirectory + "/state.sqlite")
        } catch {
            throw ScenarioFailure(message: error.message)
        }
    }

    func provideTestImage(_ reference: String, from source: TestImageSource) throws(ScenarioFailure) {
        try source.importImage(cli: workspace.cli, environment: environment)
    }

    func arm(_ faults: [[String]]) throws(ScenarioFailure) {
        for fault in faults { _ = try must(["script"] + fault, "script \(shellQuoted(fault))") }
    }

    func forgetCalls() throws(ScenarioFailure) {
        do { try store.clearCalls() } catch { throw ScenarioFailure(message: "fake-docker: \(error)") }
    }

    /// fake-docker's call log, without the scenario's own `script` calls.
    func calls() -> [[String]] {
        ((try? store.calls()) ?? []).map(\.argv).filter { $0.first != "script" }
    }

    func containerStates(startedBy pid: pid_t) -> [String] {
        ((try? store.containerSummaries()) ?? []).filter { summary in
            (try? JSONCoding.decode([String: String].self, summary.labelsJSON))?[RunLabelKey.pid] == String(pid)
        }.map(\.status.rawValue)
    }

    /// The state file is read, not a process started: it is asked often.
    func lookInterval(for trigger: ScenarioEvent.Trigger) -> TimeInterval { 0.002 }

    func restart(down: Double, liveRestore: Bool) throws(ScenarioFailure) {
        _ = try must(["script", "--restart", "--down", String(down)] + (liveRestore ? ["--live-restore"] : []), "restart")
    }

    func disarmFaults() throws(ScenarioFailure) {
        _ = try must(["script", "--clear"], "script --clear")
    }

    /// The state is private and goes with the directory, but a container still running in it would outlive the
    /// scenario: every container there is removed.
    func removeOwnLeftovers(arguments: [String]) {
        let ids = (try? docker(["ps", "-aq"]).stdout.split(separator: "\n").map(String.init)) ?? []
        if !ids.isEmpty { _ = try? docker(["rm", "-f"] + ids) }
    }
}
