import Foundation
import Glibc
import Testing

/// docs/dockrun.md behaviour 3: signals to dockrun become one `docker stop`, a second one a `docker kill`, and
/// HUP/QUIT/USR1/USR2 are forwarded; the exit code is the container's.
@Suite("dockrun 3: signals")
struct DockrunSignals {
    @Test("3: SIGTERM stops the container and returns its exit code (the trap's)")
    func termStops() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 43])])
            try await run.waitForStdout("ready\n")
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.code == 43)
            #expect(outcome.out == "ready\nTERM\n")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("3: SIGINT to dockrun's whole process group leads to exactly one stop")
    func groupInterrupt() async throws {
        try await Sandbox.with { sb in
            // The INT trap would show a second signal reaching the container (the client proxying the
            // terminal's INT as well as dockrun stopping it); only the stop's TERM may arrive.
            let script = #"trap "echo INT" INT; trap "echo TERM; exit 5" TERM; echo ready; while :; do sleep 0.1; done"#
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", script], newProcessGroup: true)
            try await run.waitForStdout("ready\n")
            run.signalGroup(SIGINT)
            let outcome = try await run.finish()
            #expect(outcome.code == 5)
            #expect(outcome.out == "ready\nTERM\n")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("3: a group SIGINT makes exactly one docker stop call and no kill (call log)",
          .enabled(if: Engine.current.isFake, "reads fake-docker's call log, which the real engine does not keep"))
    func groupInterruptCallLog() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 5])],
                                          newProcessGroup: true)
            try await run.waitForStdout("ready\n")
            run.signalGroup(SIGINT)
            #expect(try await run.finish().code == 5)
            let calls = try await sb.calls()
            #expect(calls.filter { $0.command == "stop" }.count == 1, "\(calls)")
            #expect(calls.filter { $0.command == "kill" }.isEmpty, "\(calls)")
        }
    }

    @Test("3: a second signal while stopping escalates to kill: 137")
    func secondSignalEscalates() async throws {
        try await Sandbox.with { sb in
            // --stop-timeout -1: the stop alone would wait forever, so only dockrun's kill can end this.
            let run = try await ContainerScript.stoppingWhileTermIgnored(sb, stopTimeout: "-1")
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.code == 137)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("3: SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are forwarded to the container",
          arguments: [("HUP", SIGHUP), ("QUIT", SIGQUIT), ("USR1", SIGUSR1), ("USR2", SIGUSR2)])
    func forwarded(name: String, signal: Int32) async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", ContainerScript.trapping([name: 20 + signal])])
            try await run.waitForStdout("ready\n")
            run.signal(signal)
            let outcome = try await run.finish()
            #expect(outcome.code == 20 + signal)
            #expect(outcome.out == "ready\n\(name)\n")
        }
    }

    /// Each signal `docker run`'s proxy passes on that dockrun did not before (it ended dockrun, stopped it, set off
    /// the Swift runtime's crash report, or was dropped), by the name the container's shell traps it by.
    static let everySignal: [(String, Int32)] = [
        ("ALRM", SIGALRM), ("PWR", SIGPWR), ("XCPU", SIGXCPU), ("XFSZ", SIGXFSZ), ("VTALRM", SIGVTALRM),
        ("SYS", SIGSYS), ("IO", SIGIO), ("STKFLT", SIGSTKFLT), ("WINCH", SIGWINCH), ("CONT", SIGCONT),
        ("TSTP", SIGTSTP), ("TTIN", SIGTTIN), ("TTOU", SIGTTOU), ("ABRT", SIGABRT), ("ILL", SIGILL), ("TRAP", SIGTRAP),
        ("BUS", SIGBUS), ("FPE", SIGFPE), ("SEGV", SIGSEGV), ("34", 34), ("40", 40), ("64", 64),
    ]

    @Test("3: every other signal docker run passes on reaches the container (docker kill), one after another; dockrun neither ends, stops nor crashes")
    func everySignalRelayed() async throws {
        try await Sandbox.with { sb in
            let traps = Self.everySignal.map { "trap \"echo got \($0.0)\" \($0.0); " }.joined()
            let script = traps + "trap 'echo stopping; exit 7' TERM; echo ready; while :; do sleep 0.1; done"
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", script])
            try await run.waitForStdout("ready\n")
            for (name, signal) in Self.everySignal {
                run.signal(signal)
                try await run.waitForStdout("got \(name)\n")
                #expect(try String(contentsOfFile: "/proc/\(run.pid)/stat", encoding: .utf8).split(separator: " ")[2] != "T",
                        "dockrun stopped by \(name)")
            }
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.code == 7, "\(outcome)")
            #expect(outcome.out == "ready\n" + Self.everySignal.map { "got \($0.0)\n" }.joined() + "stopping\n")
            #expect(!outcome.err.contains("crashed"), "\(outcome.err)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("11: a container whose main process dies of the stop's TERM: dockrun ends by TERM itself (a shell reads 143)")
    func endsBySignal() async throws {
        try await Sandbox.with { sb in
            // `--init`: the engine's init forwards the TERM to `sleep`, which dies of it; the init reports 143.
            let run = try sb.startDockrun(["--rm", "--init"] + sb.tag + [sb.image, "sh", "-c", "echo ready; exec sleep 600"])
            try await run.waitForStdout("ready\n")
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.termination == .signaled(SIGTERM), "\(outcome)")
            #expect(outcome.code == 143)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("11: 128+N from the container's own exit reads the same: dockrun ends by N; other codes are exits")
    func endsAsCodeSays() async throws {
        try await Sandbox.with { sb in
            let killed = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "exit 137"])
            #expect(killed.termination == .signaled(SIGKILL), "\(killed)")
            let plain = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "exit 3"])
            #expect(plain.termination == .exited(3), "\(plain)")
            let stopSignal = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "exit 148"])
            #expect(stopSignal.termination == .exited(148), "128+TSTP stops a process, never ends it: \(stopSignal)")
        }
    }

    @Test("3: a PID 1 that ignores TERM is killed after --stop-timeout: 137")
    func pidOneIgnoresTerm() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm", "--stop-timeout", "1"] + sb.tag + [sb.image, "sh", "-c", "echo ready; while :; do sleep 0.1; done"])
            try await run.waitForStdout("ready\n")
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.code == 137)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("3: a TERM at start-up, before the container ID is known, leaks no container")
    func earlySignalLeaksNothing() async throws {
        try await Sandbox.with { sb in
            let tmp = sb.path("tmp")
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
            let run = try sb.startDockrun(["--rm", "--stop-timeout", "1"] + sb.tag + [sb.image, "sleep", "600"],
                                          environment: ["TMPDIR": tmp])
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.termination != .exited(0))
            #expect(try await sb.containers().isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
        }
    }

    @Test("3: a signal during a slow create is held; the container is stopped and removed once it exists",
          .enabled(if: Engine.current.isFake, "needs `fake-docker script run --delay` to make the create slow"))
    func signalDuringSlowCreate() async throws {
        try await Sandbox.with { sb in
            try await sb.script(["run", "--delay", "2"])
            let run = try sb.startDockrun(["--rm", "--stop-timeout", "1"] + sb.tag + [sb.image, "sleep", "600"])
            try await ChildProcess.eventually("docker run to be called") {
                try await sb.calls().contains { $0.command == "run" } || !run.isRunning
            }
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.code == 137)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("3: commit is skipped after dockrun stopped the container")
    func noCommitAfterStop() async throws {
        try await Sandbox.with { sb in
            let repository = sb.repository()
            let run = try sb.startDockrun(["--rm", "--commit", repository] + sb.tag + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 0])])
            try await run.waitForStdout("ready\n")
            run.signal(SIGTERM)
            #expect(try await run.finish().code == 0)
            #expect(try await !sb.imageExists(repository))
            #expect(try await sb.containers().isEmpty)
        }
    }
}

extension ContainerScript {
    /// dockrun running `--rm` a container that says TERM and goes on, sent SIGTERM: its stop is under way (the
    /// container has said TERM), and only the stop's KILL after `stopTimeout` seconds, or dockrun's, can end it.
    static func stoppingWhileTermIgnored(_ sb: Sandbox, stopTimeout: String) async throws -> ChildProcess {
        let script = #"trap "echo TERM" TERM; echo ready; while :; do sleep 0.1; done"#
        let run = try sb.startDockrun(["--rm", "--stop-timeout", stopTimeout] + sb.tag + [sb.image, "sh", "-c", script])
        try await run.waitForStdout("ready\n")
        run.signal(SIGTERM)
        try await run.waitForStdout("ready\nTERM\n")
        return run
    }
}
