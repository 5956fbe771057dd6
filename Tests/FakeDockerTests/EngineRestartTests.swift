import Foundation
import Testing

/// `fake-docker script --restart`, against what Engine 20.10 did through a restart
/// (docs/engine-observations.md, "engine restart").
@Suite("fake-docker script --restart")
struct EngineRestartTests {
    /// Prints `tick N` once a second, twelve times, then exits 7: long enough to span a restart.
    static let ticks = ["sh", "-c", "i=0; while [ $i -lt 12 ]; do echo tick $i; i=$((i+1)); sleep 1; done; exit 7"]

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

        let run = try await attached.finish(timeout: 10)
        #expect(run.code == 125)
        let message = try Regex(#"time="[0-9T:+-]+(Z|[+-][0-9:]+)" level=error msg="error waiting for container: unexpected EOF"\n"#)
        #expect(run.err.wholeMatch(of: message) != nil, "\(run.err.debugDescription)")
        let lastSeen = run.out.split(separator: "\n").last.map(String.init) ?? ""
        let wait = try await waiting.finish(timeout: 10)
        #expect(wait.code == 1 && wait.out.isEmpty && wait.err == "unexpected EOF\n", "\(wait)")
        let logs = try await following.finish(timeout: 10)
        #expect(logs.code == 1 && logs.err == "unexpected EOF\n", "\(logs)")

        // Down: every command answers as without a daemon.
        let ps = try sim.run(["ps"], environment: ["DOCKER_HOST": "unix:///tmp/x.sock"])
        #expect(ps.code == 1 && ps.err == "Cannot connect to the Docker daemon at unix:///tmp/x.sock. Is the docker daemon running?\n", "\(ps)")
        #expect(try await restart.finish(timeout: 10).code == 0)

        // Back: still running, and the output of the gap is in the log, nothing lost or doubled.
        #expect(try sim.run(["inspect", "-f", "{{.State.Status}}", "lr"]).out == "running\n")
        let after = try sim.run(["logs", "lr"]).out
        #expect(after.hasPrefix(run.out) && after.contains(lastSeen + "\n"), "\(after.debugDescription)")
        #expect(try sim.run(["wait", "lr"]).out == "7\n")
        #expect(try sim.run(["logs", "lr"]).out == (0..<12).map { "tick \($0)\n" }.joined())
    }

    @Test("live-restore: a running --rm container is killed and removed when the engine is back, as 20.10's restore does")
    func liveRestoreRemovesAutoRemove() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        try sim.run(["run", "-d", "--rm", "--name", "gone", "dockrun-test/busybox", "sleep", "60"])
        try sim.run(["run", "-d", "--name", "kept", "dockrun-test/busybox", "sleep", "60"])
        #expect(try sim.run(["script", "--restart", "--live-restore"]).code == 0)
        #expect(try sim.run(["ps", "-a", "--format", "{{.Names}} {{.State}}"]).out == "kept running\n")
    }

    @Test("live-restore: a docker stop in flight fails with the request's EOF, and no KILL follows")
    func liveRestoreCutsStop() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        try sim.run(["run", "-d", "--name", "stubborn", "dockrun-test/busybox", "sh", "-c", "trap 'echo got TERM' TERM; while true; do sleep 1; done"])
        let stop = try client(sim, ["stop", "-t", "20", "stubborn"])
        try await ChildProcess.eventually("the TERM to arrive") { try sim.run(["logs", "stubborn"]).out == "got TERM\n" }
        try sim.run(["script", "--restart", "--live-restore"])
        let stopped = try await stop.finish(timeout: 10)
        #expect(stopped.code == 1)
        #expect(stopped.err == "error during connect: Post \"http://%2Fvar%2Frun%2Fdocker.sock/v1.41/containers/stubborn/stop?t=20\": EOF\n",
                "\(stopped.err.debugDescription)")
        #expect(try sim.run(["inspect", "-f", "{{.State.Status}}", "stubborn"]).out == "running\n")
    }

    @Test("without live-restore: the engine stops its containers as docker stop does; open requests get the exit code")
    func withoutLiveRestore() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let dies = try client(sim, ["run", "--sig-proxy=false", "--init", "--name", "dies", "dockrun-test/busybox", "sleep", "60"])
        let ignores = try client(sim, ["run", "--sig-proxy=false", "--stop-timeout", "1", "--name", "ignores", "dockrun-test/busybox",
                                       "sh", "-c", "trap 'echo got TERM' TERM; echo up; while true; do sleep 1; done"])
        try await ignores.waitForStdout("up")
        try await ChildProcess.eventually("dies to run") { try sim.run(["inspect", "-f", "{{.State.Running}}", "dies"]).out == "true\n" }
        let restart = try client(sim, ["script", "--restart", "--down", "1"])

        let died = try await dies.finish(timeout: 10)
        #expect(died.code == 143 && died.err.isEmpty, "\(died)")
        let killed = try await ignores.finish(timeout: 10)
        #expect(killed.code == 137 && killed.err.isEmpty, "\(killed)")
        #expect(try sim.run(["ps"]).code == 1, "still down after the containers stopped")
        #expect(try await restart.finish(timeout: 10).code == 0)
        #expect(try sim.run(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "dies", "ignores"]).out == "exited 143\nexited 137\n")
    }
}
