import Foundation
import Testing

/// What an engine restart without live-restore does with the restart policies (docs/engine-observations.md, "An engine
/// restart without live-restore and the restart policies"). On a real engine only in the pass that may restart it
/// (scripts/test-real-engine.sh) and only when it runs without live-restore.
@Suite("engine contract: restart policies across an engine restart without live-restore",
       .enabled(if: Engine.current.canRestart(liveRestore: false), "needs an engine this test may restart, without live-restore"))
struct EngineContractRestartPolicyAcrossRestart {
    /// Exits 7 on TERM (the engine's stop on its way down is a failure for `on-failure`).
    static let waiter = ["sh", "-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.1; done"]

    @Test("the engine starts always (even stopped by hand), unless-stopped (not stopped by hand) and failed on-failure containers again")
    func policies() async throws {
        try await Sandbox.with { sb in
            func run(_ suffix: String, _ policy: String) async throws -> String {
                let name = sb.name(suffix)
                let run = try await sb.docker(["run", "-d", "--name", name, "--restart", policy] + sb.tag + [sb.image] + Self.waiter)
                #expect(run.code == 0, "\(run)")
                try await ContainerScript.awaitReady(sb, name)
                return name
            }
            let always = try await run("a", "always"), unless = try await run("u", "unless-stopped")
            let alwaysStopped = try await run("as", "always"), unlessStopped = try await run("us", "unless-stopped")
            let onFailure = try await run("f", "on-failure"), no = try await run("n", "no")
            #expect(try await sb.docker(["stop", alwaysStopped, unlessStopped]).code == 0)
            // Any signal a client sends counts as stopped by hand, though this one left it running.
            let unlessSignalled = sb.name("uh")
            #expect(try await sb.docker(["run", "-d", "--name", unlessSignalled, "--restart", "unless-stopped"] + sb.tag
                                        + [sb.image, "sh", "-c", "trap 'echo hup' HUP; " + Self.waiter[2]]).code == 0)
            try await ContainerScript.awaitReady(sb, unlessSignalled)
            #expect(try await sb.docker(["kill", "-s", "HUP", unlessSignalled]).code == 0)
            try await ChildProcess.eventually("the HUP's trap") { try await sb.docker(["logs", unlessSignalled]).out.contains("hup") }
            // Stopped by hand, then started: no longer.
            let unlessStarted = try await run("ur", "unless-stopped")
            #expect(try await sb.docker(["stop", unlessStarted]).code == 0)
            #expect(try await sb.docker(["start", unlessStarted]).code == 0)
            // Out of retries: its count is kept through the restart.
            let exhausted = sb.name("fx")
            #expect(try await sb.docker(["run", "-d", "--name", exhausted, "--restart", "on-failure:1"] + sb.tag
                                        + [sb.image, "sh", "-c", "exit 3"]).code == 0)
            try await ChildProcess.eventually("the retry to be spent") {
                try await sb.inspect(exhausted, "{{.State.Status}} {{.RestartCount}}") == "exited 1"
            }
            let created = sb.name("c")
            #expect(try await sb.docker(["create", "--name", created, "--restart", "always"] + sb.tag + [sb.image] + Self.waiter).code == 0)

            try await sb.restartEngine(down: 0, liveRestore: false)

            for name in [always, unless, alwaysStopped, onFailure, unlessStarted] {
                #expect(try await sb.inspect(name, "{{.State.Status}} {{.RestartCount}}") == "running 0", "\(name)")
            }
            #expect(try await sb.inspect(unlessStopped, "{{.State.Status}} {{.State.ExitCode}}") == "exited 7")
            #expect(try await sb.inspect(no, "{{.State.Status}} {{.State.ExitCode}}") == "exited 7")
            #expect(try await sb.inspect(unlessSignalled, "{{.State.Status}} {{.State.ExitCode}}") == "exited 7")
            #expect(try await sb.inspect(exhausted, "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}") == "exited 3 1")
            #expect(try await sb.inspect(created, "{{.State.Status}}") == "created")
            // Its log goes on: the first run's line, then the new run's.
            try await ChildProcess.eventually("the new run's line") {
                try await sb.docker(["logs", always]).out == "ready\nready\n"
            }
        }
    }
}
