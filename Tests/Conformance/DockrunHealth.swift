import Foundation
import Glibc
import Testing

/// The health check acted on (`--health-on-failure`), a health check the run needs and does not have, and an OOM kill
/// said. The container turns unhealthy by an event: its health check leaves `/tmp/seen` once it passed, and the
/// container then removes `/tmp/healthy`, which the check needs.
@Suite("dockrun: health and out of memory")
struct DockrunHealth {
    static let check = ["--health-cmd", "test -e /tmp/healthy && touch /tmp/seen", "--health-interval", "1s",
                        "--health-retries", "1"]
    /// Healthy until its check has passed once, then unhealthy; `trap` says whether a TERM reached it.
    static let turnsUnhealthy = "trap 'echo stopped; exit 0' TERM; touch /tmp/healthy; "
        + "while [ ! -e /tmp/seen ]; do sleep 0.1; done; rm /tmp/healthy; echo unhealthy; sleep 600 & wait"

    /// Killed: no trap runs. Stopped: its trap runs (and exits 0), and dockrun's code is 124 all the same.
    static let actions = [("kill", "killing", "unhealthy\n"), ("stop", "stopping", "unhealthy\nstopped\n")]

    @Test("4: --health-on-failure=kill|stop: an unhealthy container is killed or stopped, said, removed with --rm; exit 124",
          arguments: actions)
    func actOnUnhealthy(action: String, doing: String, output: String) async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm", "--health-on-failure=\(action)"] + Self.check + sb.tag
                                           + [sb.image, "sh", "-c", Self.turnsUnhealthy])
            #expect(run.code == 124, "\(run)")
            #expect(run.out == output)
            #expect(matches(run.err, "dockrun: container \(hex64) is unhealthy; \(doing) it \\(--health-on-failure=\(action)\\)\n"),
                    "\(run.err)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("4: a healthy container is left alone: its own code")
    func healthyLeftAlone() async throws {
        try await Sandbox.with { sb in
            // It ends once its check has passed twice (each pass touches /tmp/seen anew).
            let script = "touch /tmp/healthy; while [ ! -e /tmp/seen ]; do sleep 0.1; done; rm /tmp/seen; "
                + "while [ ! -e /tmp/seen ]; do sleep 0.1; done; exit 3"
            let run = try await sb.dockrun(["--rm", "--health-on-failure=kill"] + Self.check + sb.tag
                                           + [sb.image, "sh", "-c", script])
            #expect(run.code == 3, "\(run)")
            #expect(!run.err.contains("unhealthy"), "\(run.err)")
        }
    }

    @Test("4: --sdnotify=healthy or --health-on-failure without a health check: refused, 125, nothing started",
          arguments: [["--sdnotify=healthy", "--no-healthcheck"], ["--health-on-failure=stop"], ["--sdnotify=healthy"]])
    func refusedWithoutHealthCheck(options: [String]) async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(options + sb.tag + [sb.image, "true"])
            #expect(run.code == 125, "\(run)")
            let reason = options.contains("--no-healthcheck") ? "--no-healthcheck disables it" : "image \(sb.image) has none"
            #expect(run.err == "dockrun: \(options[0]) needs a health check, and \(reason) (give one with --health-cmd, "
                    + "or a HEALTHCHECK in the image)\n")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("6: an OOM kill (fake-docker's fault) is said; the code stays 137",
          .enabled(if: Engine.current.isFake, "fault injection needs `fake-docker script`"))
    func outOfMemoryFault() async throws {
        try await Sandbox.with { sb in
            try await sb.script(["--oom-after", "0.2"])
            let run = try await sb.dockrun(["--name", sb.name()] + sb.tag + [sb.image, "sh", "-c", "echo started; sleep 60"])
            #expect(run.code == 137, "\(run)")
            #expect(run.out == "started\n")
            #expect(matches(run.err, "dockrun: container \(hex64) was killed: out of memory\n"), "\(run.err)")
            #expect(try await sb.inspect(sb.name(), "{{.State.ExitCode}} {{.State.OOMKilled}}") == "137 true")
        }
    }

    @Test("6: a container over its --memory is OOM killed on the real engine, and said; the code stays 137",
          .enabled(if: !Engine.current.isFake, "fake-docker does not enforce --memory (its OOM kill is a fault)"))
    func outOfMemory() async throws {
        try await Sandbox.with { sb in
            let grow = #"x=; while :; do x="$x$x$x$x$x$x$x$x"; x="${x}aaaaaaaaaaaaaaaa"; done"#
            // The engine sets OOMKilled from the kernel's OOM event, which on a loaded machine can reach it after the
            // exit (then it records 137 and false: seen once in CI at load 40). dockrun says what the engine
            // recorded; a run the engine did not record as an OOM kill is tried again (up to three times).
            for attempt in 1...3 {
                let name = sb.name("oom\(attempt)")
                let run = try await sb.dockrun(["--name", name, "--memory", "16m", "--memory-swap", "16m"] + sb.tag
                                               + [sb.image, "sh", "-c", grow])
                #expect(run.code == 137, "\(run)")
                let recorded = try await sb.inspect(name, "{{.State.ExitCode}} {{.State.OOMKilled}}")
                guard recorded == "137 true" else {
                    #expect(!run.err.contains("out of memory"), "the engine recorded no OOM kill: \(run.err)")
                    continue
                }
                #expect(matches(run.err, "dockrun: container \(hex64) was killed: out of memory\n"), "\(run.err)")
                return
            }
            Issue.record("the engine recorded no OOM kill in three runs over their --memory")
        }
    }

    @Test("6: a container that ends with 137, not killed for out of memory: 137 and no such message")
    func killedNotOutOfMemory() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "exit 137"])
            #expect(run.code == 137, "\(run)")
            #expect(!run.err.contains("out of memory"), "\(run.err)")
        }
    }
}
