import Foundation
import Glibc
import Testing

/// Through an engine restart the output, the exit code and the clean-up survive (docs/dockrun.md behaviour 9). On fake-docker
/// with `script --restart`; on the real engine only in a pass of its own that may restart it (with live-restore, as
/// scripts/test-real-engine.sh starts it). Serialized: on the real engine a restart would cut a neighbour's requests.
@Suite("dockrun 9: through an engine restart", .serialized,
       .enabled(if: Engine.current.restartable, "restarts the engine: scripts/test-real-engine.sh runs this in a pass of its own"))
struct DockrunEngineRestart {
    /// `tick 0` … `tick N-1`, one a second, then exit 7: long enough to span a restart on a loaded machine.
    static func ticks(_ count: Int, exit code: Int32 = 7) -> [String] {
        ["sh", "-c", "i=0; while [ $i -lt \(count) ]; do echo tick $i; i=$((i+1)); sleep 1; done; exit \(code)"]
    }

    static func expectEveryTickOnce(_ out: String, count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(out == (0..<count).map { "tick \($0)\n" }.joined(), "\(out.debugDescription)", sourceLocation: sourceLocation)
    }

    @Test("9: live-restore, a restart during the output: every line once and in order, the container's code, nothing left",
          .enabled(if: Engine.current.canRestart(liveRestore: true)))
    func liveRestoreDuringOutput() async throws {
        try await Sandbox.with { sb in
            // It ticks until it is stopped, so it outlasts the restart however long that takes (a loaded machine's
            // restart has outlasted a 25 s container): stopped once dockrun follows it again and one more tick came.
            let forever = "trap 'exit 7' TERM; i=0; while :; do echo tick $i; i=$((i+1)); sleep 1; done"
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", forever])
            try await run.waitForStdout("tick 1\n")
            try await sb.restartEngine(down: 2, liveRestore: true)
            try await ChildProcess.eventually("dockrun to follow the container again", timeout: 90) {
                run.stderr.text.contains("dockrun: the attached stream of container") || !run.isRunning
            }
            let ticksSoFar = run.stdout.text.components(separatedBy: "\n").count - 1
            try await run.waitForStdout("tick \(ticksSoFar)\n", timeout: 60)
            run.signal(SIGTERM)
            let outcome = try await run.finish(timeout: 90)
            #expect(outcome.code == 7, "\(outcome)")
            let count = outcome.out.components(separatedBy: "\n").count - 1
            #expect(count > ticksSoFar)
            Self.expectEveryTickOnce(outcome.out, count: count)
            #expect(outcome.err.contains("dockrun: the attached stream of container"), "\(outcome.err)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("9: live-restore, the container ends while the engine is down: what the engine logged is shown once, its code",
          .enabled(if: Engine.current.canRestart(liveRestore: true)))
    func liveRestoreEndsDuringTheGap() async throws {
        try await Sandbox.with { sb in
            // No --rm, so that the engine's log can be read afterwards: Engine 20.10 keeps none of what a container
            // wrote while it was down if the container ended before it came back (fake-docker too), so
            // the promise is the log's lines, each once, in order.
            let name = sb.name()
            let run = try sb.startDockrun(["--name", name] + sb.tag + [sb.image] + Self.ticks(4))
            try await run.waitForStdout("tick 1\n")
            try await sb.restartEngine(down: 6, liveRestore: true)
            let outcome = try await run.finish(timeout: 90)
            #expect(outcome.code == 7, "\(outcome)")
            #expect(outcome.err.contains("while its stream was broken; showing the output it missed"), "\(outcome.err)")
            let log = try await sb.docker(["logs", name])
            #expect(outcome.out == log.out, "dockrun: \(outcome.out.debugDescription), the engine's log: \(log.out.debugDescription)")
            #expect(outcome.out.hasPrefix("tick 0\ntick 1\n"))
        }
    }

    @Test("9: live-restore, a restart during a long sleep: the output after it arrives, the container's code",
          .enabled(if: Engine.current.canRestart(liveRestore: true)))
    func liveRestoreDuringSleep() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "echo before; sleep 8; echo after; echo late >&2; exit 5"])
            try await run.waitForStdout("before\n")
            try await sb.restartEngine(down: 1, liveRestore: true)
            let outcome = try await run.finish(timeout: 90)
            #expect(outcome.code == 5, "\(outcome)")
            #expect(outcome.out == "before\nafter\n")
            #expect(outcome.err.hasSuffix("late\n"), "stderr stays stderr: \(outcome.err)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("9: live-restore, a restart during a stop: the stop the engine dropped is completed once it answers",
          .enabled(if: Engine.current.canRestart(liveRestore: true)))
    func liveRestoreDuringStop() async throws {
        try await Sandbox.with { sb in
            // TERM is ignored, so only the stop's KILL, 4 s on, ends it: the engine goes away before that.
            let run = try await ContainerScript.stoppingWhileTermIgnored(sb, stopTimeout: "4")
            try await sb.restartEngine(down: 1, liveRestore: true)
            let outcome = try await run.finish(timeout: 90)
            #expect(outcome.code == 137, "\(outcome)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("9: live-restore, a restart during the commit: the commit is made once the engine answers, then the removal",
          .enabled(if: Engine.current.isFake, "needs a scripted slow commit to restart during it"))
    func liveRestoreDuringCommit() async throws {
        try await Sandbox.with { sb in
            let repository = sb.repository()
            try await sb.script(["commit", "--delay", "3"])
            let run = try sb.startDockrun(["--rm", "--commit", repository] + sb.tag + [sb.image, "sh", "-c", "echo data > marker"])
            try await ChildProcess.eventually("the commit started") { run.children.contains { $0.dropFirst().first == "commit" } }
            try await sb.restartEngine(down: 4, liveRestore: true)
            let outcome = try await run.finish(timeout: 90)
            #expect(outcome.code == 0, "\(outcome)")
            #expect(try await sb.imageExists(repository))
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("9: without live-restore the engine stops the container: its code, and the removal the engine refused is retried",
          .enabled(if: Engine.current.canRestart(liveRestore: false)))
    func withoutLiveRestore() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 9])])
            try await run.waitForStdout("ready\n")
            try await sb.restartEngine(down: 2, liveRestore: false)
            let outcome = try await run.finish(timeout: 90)
            #expect(outcome.code == 9, "\(outcome)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("9: an engine down past DOCKRUN_ENGINE_WAIT: a message and 125",
          .enabled(if: Engine.current.canRestart(liveRestore: true)))
    func boundPassed() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image] + Self.ticks(30),
                                          environment: ["DOCKRUN_ENGINE_WAIT": "1"])
            try await run.waitForStdout("tick 1\n")
            try await sb.restartEngine(down: 6, liveRestore: true)
            let outcome = try await run.finish(timeout: 90)
            #expect(outcome.code == 125, "\(outcome)")
            #expect(matches(outcome.err.split(separator: "\n").last.map(String.init) ?? "",
                            #"dockrun: the docker engine did not answer for \d+ s; container [0-9a-f]{64} may be left behind"#),
                    "\(outcome.err)")
        }
    }

    @Test("7/9: --cleanup while the engine does not answer waits for it, then stops and removes the container",
          .enabled(if: Engine.current.canRestart(liveRestore: true)))
    func cleanupThroughOutage() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let started = try await sb.docker(["run", "-d", "--name", name] + sb.tag
                                              + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 7])])
            #expect(started.code == 0, "\(started)")
            try await ContainerScript.awaitReady(sb, name)
            let outage = try await sb.beginEngineOutage()
            let cleanup = try sb.startDockrun(["--cleanup", "--rm", "--name", name, sb.image])
            try await ChildProcess.eventually("--cleanup to wait for the engine", timeout: 60) {
                cleanup.stderr.text.contains("dockrun: the docker engine is not answering; waiting for it\n")
            }
            try await outage.end()
            let outcome = try await cleanup.finish(timeout: 90)
            #expect(outcome.code == 0, "\(outcome)")
            #expect(outcome.err.contains("dockrun: the docker engine answers again\n"), "\(outcome.err)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("7/9: dockrun SIGKILLed while the engine does not answer: its guardian waits for it, then stops the container",
          .enabled(if: Engine.current.canRestart(liveRestore: true)))
    func guardianThroughOutage() async throws {
        try await Sandbox.with { sb in
            // No --rm: a live-restored engine removes a running --rm container by itself as it comes back, and the
            // guardian's stop is what this test proves.
            let name = sb.name()
            let run = try sb.startDockrun(sb.tag + ["--name", name, sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 7])])
            try await run.waitForStdout("ready\n")
            let outage = try await sb.beginEngineOutage()
            run.signal(SIGKILL)
            try await ChildProcess.eventually("the guardian to wait for the engine", timeout: 60) {
                run.stderr.text.contains("dockrun: guardian: the docker engine is not answering; waiting for it\n")
            }
            try await outage.end()
            let outcome = try await run.finish(timeout: 90)
            #expect(outcome.code == 137, "\(outcome)")
            #expect(!outcome.err.contains("could not stop"), "\(outcome.err)")
            #expect(try await sb.inspect(name, "{{.State.Status}}") == "exited")
            #expect(try await sb.inspect(name, "{{.State.ExitCode}}") == "7")
        }
    }
}

/// An engine outage a test can end on an event: it begins with a restart (live-restore) and lasts until `end()`.
/// fake-docker's window is ended early by `script --clear`; the real engine's restart script has a fixed window, so
/// there it is long (20 s) to cover the commands started in it even on a saturated machine, and `end()` waits it out.
struct EngineOutage {
    let sandbox: Sandbox
    let restart: Task<Void, Error>

    func end() async throws {
        if sandbox.engine.isFake { try await sandbox.script(["--clear"]) }
        try await restart.value
    }
}

extension Sandbox {
    /// Starts an outage and returns once the engine no longer answers.
    func beginEngineOutage() async throws -> EngineOutage {
        let down: Double = engine.isFake ? 120 : 20
        let restart = Task { try await self.restartEngine(down: down, liveRestore: true) }
        try await ChildProcess.eventually("the engine to stop answering", timeout: 60) {
            try await self.docker(["ps", "-q"]).code != 0
        }
        return EngineOutage(sandbox: self, restart: restart)
    }
}
