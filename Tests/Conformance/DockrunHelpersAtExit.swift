import Foundation
import Glibc
import Testing

/// A docker command dockrun started whose outcome no longer matters when the container has ended (a
/// relayed signal's `docker kill`) must neither hold dockrun's exit back nor outlive it. Only
/// fake-docker can make `docker kill` hang on demand.
@Suite("dockrun: docker commands still running at the exit",
       .enabled(if: Engine.current.isFake, "a hanging docker kill needs `fake-docker script`"))
struct DockrunHelpersAtExit {
    @Test("a relayed signal's docker kill that hangs is given a short grace, then killed: dockrun exits with the container")
    func hangingKill() async throws {
        try await Sandbox.with { sb in
            try await sb.script(["kill", "--delay", "30"])
            let run = try sb.startDockrun(sb.tag + [sb.image, "sh", "-c", "echo ready; sleep 2; exit 3"])
            try await run.waitForStdout("ready\n")
            let signalled = Date()
            run.signal(SIGHUP)
            let outcome = try await run.finish()
            #expect(outcome.code == 3, "\(outcome)")
            let elapsed = Date().timeIntervalSince(signalled)
            #expect(elapsed < 15, "dockrun waited \(elapsed) s for a docker kill that hangs for 30 s")
            let id = try #require(try await sb.containers().first)
            #expect(Self.dockerKills(of: id).isEmpty, "a docker kill outlived dockrun")
        }
    }

    /// The processes whose argv is a `kill` of the container (the ID in any length).
    private static func dockerKills(of id: String) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let argv = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return argv.contains("kill") && argv.contains { $0.hasPrefix(id) }
        }
    }
}
