import Foundation
import Testing

/// The engine's contract through a restart (docs/engine-observations.md, "engine restart"). Fake-only: on
/// the real engine a test would have to restart the suite's engine (scripts/engine-restart.sh), which the
/// tests running beside it share; the same behaviour was observed there by hand with an engine of its own.
@Suite("engine contract: through an engine restart",
       .enabled(if: Engine.current.isFake, "restarting the real engine would cut the other tests' requests; observed by hand"))
struct EngineContractRestart {
    /// `tick 0`, `tick 1`, … one a second until stopped: it spans a restart however loaded the machine is.
    static let ticks = ["sh", "-c", "i=0; while :; do echo tick $i; i=$((i+1)); sleep 1; done"]

    func restartEngine(_ sb: Sandbox, down: Double, liveRestore: Bool) async throws {
        let restarted = try await sb.docker(["script", "--restart", "--down", String(down)] + (liveRestore ? ["--live-restore"] : []))
        #expect(restarted.code == 0, "\(restarted)")
    }

    @Test("live-restore: the attached client gets the EOF line and 125, the container runs on, its log misses nothing")
    func liveRestoreAttached() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let client = try sb.startDocker(["run", "--sig-proxy=false", "--name", name] + sb.tag + [sb.image] + Self.ticks)
            try await client.waitForStdout("tick 1")
            try await restartEngine(sb, down: 1, liveRestore: true)
            let run = try await client.finish()
            #expect(run.code == 125)
            #expect(matches(run.err, #"time="[^"]+" level=error msg="error waiting for container: unexpected EOF"\n"#), "\(run.err.debugDescription)")
            #expect(try await sb.inspect(name, "{{.State.Status}}") == "running")
            // The log runs on past what the client saw, each tick once and in order.
            let seen = run.out.split(separator: "\n").count
            var log = ""
            try await ChildProcess.eventually("the log to go past the gap") {
                log = try await sb.docker(["logs", name]).out
                return log.split(separator: "\n").count > seen + 2
            }
            #expect(log.split(separator: "\n").enumerated().allSatisfy { $0.element == "tick \($0.offset)" }, "\(log.debugDescription)")
            #expect(log.hasPrefix(run.out), "what the client saw is the start of the log")
        }
    }

    @Test("live-restore: every command fails as against a stopped daemon while the engine is down")
    func liveRestoreDown() async throws {
        try await Sandbox.with { sb in
            // A gap that outlasts the checks however slow the machine is, ended by `script --clear`.
            let restart = try sb.startDocker(["script", "--restart", "--down", "120", "--live-restore"])
            try await ChildProcess.eventually("the engine to go down") {
                try await sb.docker(["ps"]).err.contains("Cannot connect to the Docker daemon")
            }
            let ps = try await sb.docker(["ps"])
            #expect(ps.code == 1)
            #expect(matches(ps.err, #"Cannot connect to the Docker daemon at unix://\S+\. Is the docker daemon running\?\n"#), "\(ps.err.debugDescription)")
            let run = try await sb.docker(["run", "--rm"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            let create = try await sb.docker(["create"] + sb.tag + [sb.image, "true"])
            #expect(create.code == 1)
            #expect(matches(create.err, #"Cannot connect to the Docker daemon at unix://\S+\. Is the docker daemon running\?\n"#), "\(create.err.debugDescription)")
            try await sb.script(["--clear"])
            #expect(try await restart.finish().code == 0)
            #expect(try await sb.docker(["ps"]).code == 0)
        }
    }

    @Test("without live-restore: the engine stops the container with its stop signal; the attached client gets its code")
    func withoutLiveRestore() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let client = try sb.startDocker(["run", "--sig-proxy=false", "--init", "--name", name] + sb.tag + [sb.image, "sleep", "600"])
            try await ChildProcess.eventually("the container to run") { try await sb.inspect(name, "{{.State.Running}}") == "true" }
            try await restartEngine(sb, down: 0, liveRestore: false)
            let run = try await client.finish()
            #expect(run.code == 143 && run.err.isEmpty, "\(run)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.ExitCode}}") == "exited 143")
        }
    }
}

/// What the engine's log keeps across a live-restore restart, on both engines: on the real one only in the pass that
/// may restart it (scripts/test-real-engine.sh), with live-restore. Observed: docs/engine-observations.md, "a partial
/// line across a live-restore restart".
@Suite("engine contract: the log across a live-restore restart", .serialized,
       .enabled(if: Engine.current.canRestart(liveRestore: true), "restarts the engine: scripts/test-real-engine.sh runs this in a pass of its own"))
struct EngineContractRestartLog {
    @Test("live-restore: the unfinished line the engine held when it went away is not in the log; what follows is")
    func partialLineLost() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            // The container ends the line once the engine is back and the test says so: its end must reach the
            // engine that came back, however long the restart takes.
            let client = try sb.startDocker(["run", "--sig-proxy=false", "--name", name] + sb.tag
                                            + [sb.image, "sh", "-c", #"printf partial; until [ -e /tmp/go ]; do sleep 0.1; done; echo " end""#])
            try await client.waitForStdout("partial")
            try await sb.restartEngine(down: 1, liveRestore: true)
            let run = try await client.finish()
            #expect(try await sb.docker(["exec", name, "touch", "/tmp/go"]).code == 0)
            #expect(run.code == 125 && run.out == "partial", "the attached client had it: \(run)")
            try await ChildProcess.eventually("the container to exit") {
                try await sb.inspect(name, "{{.State.Status}}") == "exited"
            }
            let logs = try await sb.docker(["logs", name])
            #expect(logs.code == 0 && logs.out == " end\n" && logs.err.isEmpty, "\(logs)")
        }
    }

    @Test("live-restore: a container that ends while the engine is down: what it wrote during the gap is in no log; its code is")
    func endedDuringGapLosesGapOutput() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            // `gap` is written 2 s after `before`, and the container ends right after it: both within the 8 s the
            // engine is down from the moment `before` has arrived.
            let client = try sb.startDocker(["run", "--sig-proxy=false", "--name", name] + sb.tag
                                            + [sb.image, "sh", "-c", "echo before; sleep 2; echo gap; exit 3"])
            try await client.waitForStdout("before\n")
            try await sb.restartEngine(down: 8, liveRestore: true)
            let run = try await client.finish()
            #expect(run.code == 125 && run.out == "before\n", "the attached client's stream broke at the restart: \(run)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.ExitCode}}") == "exited 3")
            let logs = try await sb.docker(["logs", name])
            #expect(logs.code == 0 && logs.out == "before\n" && logs.err.isEmpty, "\(logs)")
        }
    }
}
