import Foundation
import Glibc
import Testing

/// An engine that goes away between a `docker run` client's create and its start (docs/dockrun.md behaviour 9): the
/// client exits 1 ("cannot connect to the Docker daemon") and leaves the container created, never started
/// (docs/engine-observations.md). dockrun carries the run on: it waits for the engine, starts the container itself,
/// attached, and reports its end. On the real engine the absence is made exact by scripts/engine-gate.py (a relay to
/// the engine's socket that goes away right after the create's answer, and comes back on SIGUSR1); on fake-docker by
/// a scripted delay of the run's attach (`script attach --delay`) during which the engine goes down.
@Suite("dockrun 9: an engine gone between the client's create and its start", .serialized)
struct DockrunCreateThenStart {
    /// The engine's absence, placed between the create and the attach of the dockrun started by `start`.
    struct Cut {
        let sandbox: Sandbox
        /// What dockrun gets (DOCKER_HOST of the gate on the real engine).
        let environment: [String: String]
        /// dockrun's options for the cut: on fake-docker a `--cidfile` of the test's, whose ID says the create is done
        /// (read far more cheaply than a `docker ps` on a loaded machine).
        let options: [String]
        private let gate: ChildProcess?

        /// Arms the cut before dockrun starts.
        static func arm(_ sb: Sandbox) async throws -> Cut {
            if sb.engine.isFake {
                // Long enough that the outage is armed within it even on a loaded machine (a miss is tried again).
                try await sb.script(["attach", "--delay", "5"])
                return Cut(sandbox: sb, environment: [:], options: ["--cidfile", sb.path("cid")], gate: nil)
            }
            let host = sb.environment["DOCKER_HOST"] ?? ""
            guard host.hasPrefix("unix://") else { throw Sandbox.SetupError(what: "the gate needs a unix DOCKER_HOST, not \(host)") }
            let socket = sb.path("gate.sock")
            let gate = try ChildProcess(["python3", Repository.script("engine-gate.py"), "--engine", String(host.dropFirst(7)),
                                         "--listen", socket], ChildProcess.Options(environment: sb.environment))
            try await gate.waitForStdout("listening\n")
            return Cut(sandbox: sb, environment: ["DOCKER_HOST": "unix://" + socket], options: [], gate: gate)
        }

        /// Returns once the engine is away for dockrun's client after its create (on fake-docker: the container
        /// exists, and the engine is taken down while the client's attach waits). False when dockrun ended first (on
        /// fake-docker, a machine too loaded to take the engine down within the attach's delay): a miss.
        func engineGone(_ run: ChildProcess) async throws -> Bool {
            if let gate {
                try await gate.waitForStdout("closed after create\n")
                return true
            }
            // A bound on a hang, not a wait for time.
            try await ChildProcess.eventually("the container to be created, or dockrun to end", timeout: 120) {
                (try? String(contentsOfFile: sandbox.path("cid"), encoding: .utf8))?.isEmpty == false || !run.isRunning
            }
            guard run.isRunning else { return false }
            try await sandbox.script(["--daemon-down"])
            return true
        }

        /// The engine answers again.
        func engineBack() async throws {
            if let gate { gate.signal(SIGUSR1) } else { try await sandbox.script(["--clear"]) }
        }

        func end() async throws {
            guard let gate else { return }
            gate.signal(SIGTERM)
            _ = try await gate.finish()
        }
    }

    /// Runs `body` with a cut; on fake-docker a run whose client got past the scripted delay before the engine went
    /// down (a machine too loaded to take the engine down within 3 s) is tried again, up to five times.
    static func withCut(_ body: (Sandbox, Cut) async throws -> Bool) async throws {
        for _ in 1...5 {
            let hit = try await Sandbox.with { sb in
                let cut = try await Cut.arm(sb)
                do {
                    let hit = try await body(sb, cut)
                    try await cut.end()
                    return hit
                } catch {
                    try? await cut.end()
                    throw error
                }
            }
            if hit { return }
        }
        Issue.record("the engine's absence never fell between the create and the start in five tries")
    }

    static let started = "before starting container"

    @Test("9: the engine gone after the create: dockrun waits for it, starts the container attached (stdin too), its code, removed")
    func startCarriedThrough() async throws {
        try await Self.withCut { sb, cut in
            let run = try sb.startDockrun(["--rm", "-i"] + cut.options + sb.tag + [sb.image, "sh", "-c", "echo before; read line; echo \"got $line\"; exit 3"],
                                          stdin: Array("input\n".utf8), environment: cut.environment)
            guard try await cut.engineGone(run) else { _ = try await run.finish(); return false }
            try await ChildProcess.eventually("dockrun to wait for the engine, or to end") {
                run.stderr.text.contains("waiting for it") || !run.isRunning
            }
            try await cut.engineBack()
            let outcome = try await run.finish(timeout: 90)
            guard outcome.err.contains(Self.started) else {
                #expect(outcome.code == 3, "\(outcome)")
                return false
            }
            #expect(outcome.err.contains("cannot connect to the Docker daemon"), "the client's own message: \(outcome.err)")
            #expect(outcome.err.contains("dockrun: the docker client exited (status 1) before starting container "), "\(outcome.err)")
            #expect(outcome.code == 3, "\(outcome)")
            #expect(outcome.out == "before\ngot input\n", "\(outcome)")
            #expect(try await sb.containers().isEmpty)
            return true
        }
    }

    @Test("9: asked to stop while the engine is gone after the create: the container is never started, 143, removed")
    func stopBeforeTheStart() async throws {
        try await Self.withCut { sb, cut in
            let run = try sb.startDockrun(["--rm"] + cut.options + sb.tag + [sb.image, "sh", "-c", "echo started; sleep 600"],
                                          environment: cut.environment)
            guard try await cut.engineGone(run) else { _ = try await run.finish(); return false }
            try await ChildProcess.eventually("dockrun to wait for the engine, or to end") {
                run.stderr.text.contains("waiting for it") || !run.isRunning
            }
            run.signal(SIGTERM)
            try await cut.engineBack()
            let outcome = try await run.finish(timeout: 90)
            guard outcome.err.contains("was never started") || !outcome.out.contains("started") else { return false }
            #expect(outcome.err.contains("not starting it, as it was asked to stop"), "\(outcome.err)")
            #expect(outcome.code == 143, "\(outcome)")
            #expect(outcome.out == "", "\(outcome)")
            #expect(try await sb.containers().isEmpty)
            return true
        }
    }

    @Test("9: without --rm the container carried through is kept, ended, with its code")
    func keptWithoutRemove() async throws {
        try await Self.withCut { sb, cut in
            let name = sb.name()
            let run = try sb.startDockrun(["--name", name] + cut.options + sb.tag + [sb.image, "sh", "-c", "echo once; exit 4"],
                                          environment: cut.environment)
            guard try await cut.engineGone(run) else { _ = try await run.finish(); return false }
            try await ChildProcess.eventually("dockrun to wait for the engine, or to end") {
                run.stderr.text.contains("waiting for it") || !run.isRunning
            }
            try await cut.engineBack()
            let outcome = try await run.finish(timeout: 90)
            guard outcome.err.contains(Self.started) else { return false }
            #expect(outcome.code == 4, "\(outcome)")
            #expect(outcome.out == "once\n", "\(outcome)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.ExitCode}}") == "exited 4")
            return true
        }
    }
}
