import Foundation
import Glibc
import Testing

/// Engine faults only fake-docker can produce on demand (`fake-docker script`): a slow create, a failing
/// commit, a failing or slow removal. The real engine cannot be made to do these, so they are skipped there.
@Suite("dockrun: engine faults", .enabled(if: Engine.current.isFake, "fault injection needs `fake-docker script`"))
struct DockrunFaults {
    @Test("1: a create slower than a second is waited for (no fixed cidfile timeout, an empty cidfile is 'not yet')")
    func slowCreate() async throws {
        try await Sandbox.with { sb in
            try await sb.script(["run", "--delay", "2"])
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "echo late; exit 3"])
            #expect(run.code == 3)
            #expect(run.out == "late\n")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("4: a failing commit: its message, 125, and the container kept even with --rm (its ID printed)")
    func failingCommit() async throws {
        try await Sandbox.with { sb in
            try await sb.script(["commit", "--exit", "1", "--stderr", "Error response from daemon: commit failed on purpose"])
            let run = try await sb.dockrun(["--rm", "--commit", sb.repository()] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err.contains("commit failed on purpose"), "\(run.err)")
            let kept = try await sb.containers()
            #expect(kept.count == 1)
            if let id = kept.first { #expect(run.err.contains(id), "the kept container's ID is not printed: \(run.err)") }
        }
    }

    @Test("5: a failing rm is a warning; the exit code stays the container's")
    func failingRemove() async throws {
        try await Sandbox.with { sb in
            try await sb.script(["rm", "--exit", "1", "--stderr", "Error response from daemon: rm failed on purpose"])
            // With --commit dockrun removes the container itself (without it, `docker run --rm` does).
            let run = try await sb.dockrun(["--rm", "--commit", sb.repository()] + sb.tag + [sb.image, "sh", "-c", "exit 3"])
            #expect(run.code == 3)
            #expect(run.err.split(separator: "\n").contains { $0.hasPrefix("dockrun: ") }, "no warning: \(run.err)")
        }
    }

    @Test("3: a TERM during a slow commit or rm is not ignored: dockrun still finishes cleanly and leaves nothing",
          arguments: ["commit", "rm"])
    func signalDuringCleanup(step: String) async throws {
        try await Sandbox.with { sb in
            let tmp = sb.path("tmp")
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
            try await sb.script([step, "--delay", "2"])
            let run = try sb.startDockrun(["--rm", "--commit", sb.repository()] + sb.tag + [sb.image, "true"],
                                          environment: ["TMPDIR": tmp])
            try await ChildProcess.eventually("docker \(step) to be called") {
                try await sb.calls().contains { $0.command == step } || !run.isRunning
            }
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            if case .signaled(let signal) = outcome.termination { Issue.record("dockrun died of signal \(signal)") }
            #expect(try await sb.containers().isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
        }
    }
}
