import Foundation
import Testing

/// `fake-docker script --restart`, against what Engine 20.10 did through a restart
/// (docs/engine-observations.md, "engine restart").
@Suite("fake-docker script --restart")
struct EngineRestartTests {
    /// Prints `tick N` once a second for a minute: long enough to span a restart on a loaded machine.
    static let ticks = ["sh", "-c", "i=0; while :; do echo tick $i; i=$((i+1)); sleep 1; done"]

    /// True if `log` is `tick 0` … `tick N` for some N >= `atLeast`, each once and in order.
    static func isUnbrokenTicks(_ log: String, atLeast: Int) -> Bool {
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        return lines.count > atLeast && lines.enumerated().allSatisfy { $0.element == "tick \($0.offset)" }
    }

    func client(_ sim: Simulator, _ args: [String]) throws -> ChildProcess {
        try ChildProcess([Simulator.executable] + args,
                         ChildProcess.Options(environment: ["FAKE_DOCKER_STATE": sim.state, "PATH": "/usr/bin:/bin"]))
    }

    @Test("live-restore: open requests are cut as the CLI reports it, the container runs on and its log stays complete")
    func liveRestore() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let attached = try client(sim, ["run", "--sig-proxy=false", "--name", "lr", "dockrun-test/busybox"] + Self.ticks)
        try await attached.waitForStdout("tick 1")
        let waiting = try client(sim, ["wait", "lr"])
        let following = try client(sim, ["logs", "-f", "lr"])
        try await following.waitForStdout("tick 1")
        let restart = try client(sim, ["script", "--restart", "--down", "2", "--live-restore"])

        let run = try await attached.finish()
        #expect(run.code == 125)
        let message = try Regex(#"time="[0-9T:+-]+(Z|[+-][0-9:]+)" level=error msg="error waiting for container: unexpected EOF"\n"#)
        #expect(run.err.wholeMatch(of: message) != nil, "\(run.err.debugDescription)")
        let wait = try await waiting.finish()
        #expect(wait.code == 1 && wait.out.isEmpty && wait.err == "unexpected EOF\n", "\(wait)")
        let logs = try await following.finish()
        #expect(logs.code == 1 && logs.err == "unexpected EOF\n", "\(logs)")

        // (What the commands answer during the gap: EngineContractRestart, with a gap long enough to look.)
        #expect(try await restart.finish().code == 0)

        // Back: still running, and the output of the gap is in the log, nothing lost or doubled.
        #expect(try sim.run(["inspect", "-f", "{{.State.Status}}", "lr"]).out == "running\n")
        let seen = run.out.split(separator: "\n").count
        try await ChildProcess.eventually("the log to go past the gap") {
            Self.isUnbrokenTicks(try sim.run(["logs", "lr"]).out, atLeast: seen + 2)
        }
        #expect(try sim.run(["logs", "lr"]).out.hasPrefix(run.out))
    }

    @Test("live-restore: a running --rm container is killed and removed when the engine is back, as 20.10's restore does")
    func liveRestoreRemovesAutoRemove() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        try sim.run(["run", "-d", "--rm", "--name", "gone", "dockrun-test/busybox", "sleep", "600"])
        try sim.run(["run", "-d", "--name", "kept", "dockrun-test/busybox", "sleep", "600"])
        #expect(try sim.run(["script", "--restart", "--live-restore"]).code == 0)
        #expect(try sim.run(["ps", "-a", "--format", "{{.Names}} {{.State}}"]).out == "kept running\n")
    }

    @Test("live-restore: a docker stop in flight fails with the request's EOF, and no KILL follows")
    func liveRestoreCutsStop() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        try sim.run(["run", "-d", "--name", "stubborn", "dockrun-test/busybox", "sh", "-c", "trap 'echo got TERM' TERM; while true; do sleep 1; done"])
        let stop = try client(sim, ["stop", "-t", "100", "stubborn"])
        try await ChildProcess.eventually("the TERM to arrive") { try sim.run(["logs", "stubborn"]).out == "got TERM\n" }
        try sim.run(["script", "--restart", "--live-restore"])
        let stopped = try await stop.finish()
        #expect(stopped.code == 1)
        #expect(stopped.err == "error during connect: Post \"http://%2Fvar%2Frun%2Fdocker.sock/v1.41/containers/stubborn/stop?t=100\": EOF\n",
                "\(stopped.err.debugDescription)")
        #expect(try sim.run(["inspect", "-f", "{{.State.Status}}", "stubborn"]).out == "running\n")
    }

    @Test("without live-restore: the engine stops its containers as docker stop does; open requests get the exit code")
    func withoutLiveRestore() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let dies = try client(sim, ["run", "--sig-proxy=false", "--init", "--name", "dies", "dockrun-test/busybox", "sleep", "600"])
        let ignores = try client(sim, ["run", "--sig-proxy=false", "--stop-timeout", "1", "--name", "ignores", "dockrun-test/busybox",
                                       "sh", "-c", "trap 'echo got TERM' TERM; echo up; while true; do sleep 1; done"])
        try await ignores.waitForStdout("up")
        try await ChildProcess.eventually("dies to run") { try sim.run(["inspect", "-f", "{{.State.Running}}", "dies"]).out == "true\n" }
        let restart = try client(sim, ["script", "--restart", "--down", "1"])

        let died = try await dies.finish()
        #expect(died.code == 143 && died.err.isEmpty, "\(died)")
        let killed = try await ignores.finish()
        #expect(killed.code == 137 && killed.err.isEmpty, "\(killed)")
        #expect(try await restart.finish().code == 0)
        #expect(try sim.run(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "dies", "ignores"]).out == "exited 143\nexited 137\n")
    }
}
