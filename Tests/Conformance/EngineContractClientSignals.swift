import Foundation
import Glibc
import Testing

/// The attached `docker run` client and the signals sent to it, as dockrun starts it (`--sig-proxy=false`): the docker
/// CLI is a Go program, which drops most signals, dies of QUIT with a goroutine dump, and is stopped by TSTP unless it
/// was started with TSTP blocked (docs/engine-observations.md, "The attached client and signals"). With `-t` the
/// container's terminal has the size of the client's, and follows its resizes.
@Suite("Engine contract: the attached client and signals")
struct EngineContractClientSignals {
    /// A container that says `ready` and exits 7 once it reads a line: the test decides when it ends.
    static let waitsForALine = ["sh", "-c", "echo ready; read line; exit 7"]

    /// `docker run --rm -i --sig-proxy=false` of `waitsForALine`, started with `blocked` signals blocked, once the
    /// container runs.
    private func startClient(_ sb: Sandbox, blocked: [Int32] = []) async throws -> ChildProcess {
        var options = ChildProcess.Options(environment: sb.environment, keepStdinOpen: true)
        options.blockedSignals = blocked
        let client = try ChildProcess([sb.engine.cli, "run", "--rm", "-i", "--sig-proxy=false"] + sb.tag
                                      + [sb.image] + Self.waitsForALine, options)
        try await client.waitForStdout("ready\n")
        return client
    }

    /// The signals sent to `pid` and not yet taken by it (its shared and its own pending sets, /proc/PID/status).
    private static func pendingSignals(_ pid: pid_t) -> Set<Int32> {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [] }
        var pending: Set<Int32> = []
        for line in status.split(separator: "\n") where line.hasPrefix("ShdPnd:") || line.hasPrefix("SigPnd:") {
            let mask = UInt64(line.split(separator: "\t").last ?? "", radix: 16) ?? 0
            for signal in Int32(1)...64 where mask & (1 << UInt64(signal - 1)) != 0 { pending.insert(signal) }
        }
        return pending
    }

    /// The process state letter of `pid` (`T`: stopped), or nil once it has gone.
    private static func state(_ pid: pid_t) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.range(of: ") ", options: .backwards) else { return nil }
        return String(stat[end.upperBound...].prefix(1))
    }

    @Test("with --sig-proxy=false the client takes USR1, ALRM, WINCH and a real-time signal, runs on, and exits with the container's code")
    func dropsSignals() async throws {
        try await Sandbox.with { sb in
            let client = try await startClient(sb)
            let signals: [Int32] = [SIGUSR1, SIGALRM, SIGWINCH, 40]
            for signal in signals { client.signal(signal) }
            // Taken (read or handled), not merely pending, before the container is let go.
            try await ChildProcess.eventually("the client to take the signals") {
                Self.pendingSignals(client.pid).isDisjoint(with: signals) || !client.isRunning
            }
            client.write(toStdin: "go\n")
            let outcome = try await client.finish()
            #expect(outcome.termination == .exited(7), "\(outcome)")
            #expect(outcome.out == "ready\n")
            #expect(outcome.err == "")
        }
    }

    @Test("the client dies of QUIT as a Go program: a goroutine dump starting 'SIGQUIT: quit', and exit 2")
    func diesOfQuit() async throws {
        try await Sandbox.with { sb in
            let client = try await startClient(sb)
            client.signal(SIGQUIT)
            let outcome = try await client.waitForExit()
            #expect(outcome == .exited(2))
            try await ChildProcess.eventually("the dump's first lines") { client.stderr.text.contains("\n") }
            #expect(client.stderr.text.split(separator: "\n").first == "SIGQUIT: quit")
            #expect(client.stderr.text.split(separator: "\n").dropFirst().first?.hasPrefix("PC=0x") == true)
        }
    }

    @Test("the client dies of signal 34, which Go never handles")
    func diesOfSignal34() async throws {
        try await Sandbox.with { sb in
            let client = try await startClient(sb)
            client.signal(34)
            #expect(try await client.waitForExit() == .signaled(34))
        }
    }

    @Test("TSTP stops the client, which leaves it at its default")
    func stoppedByTSTP() async throws {
        try await Sandbox.with { sb in
            let client = try await startClient(sb)
            client.signal(SIGTSTP)
            try await ChildProcess.eventually("the client to stop") { Self.state(client.pid) == "T" }
            client.signal(SIGCONT)
            client.write(toStdin: "go\n")
            #expect(try await client.finish().termination == .exited(7))
        }
    }

    @Test("a client started with TSTP blocked keeps it blocked: TSTP stays pending, the client runs on and exits with the container's code")
    func notStoppedWhenBlocked() async throws {
        try await Sandbox.with { sb in
            let client = try await startClient(sb, blocked: [SIGTSTP, SIGTTIN, SIGTTOU])
            client.signal(SIGTSTP)
            try await ChildProcess.eventually("TSTP to be pending") { Self.pendingSignals(client.pid).contains(SIGTSTP) }
            #expect(Self.state(client.pid) != "T")
            client.write(toStdin: "go\n")
            let outcome = try await client.finish()
            #expect(outcome.termination == .exited(7), "\(outcome)")
        }
    }

    @Test("-t on a terminal: the container's terminal has the client's size, and follows its resize")
    func terminalSize() async throws {
        try await Sandbox.with { sb in
            var options = ChildProcess.Options(environment: sb.environment, keepStdinOpen: true, terminal: true)
            options.terminalSize = (rows: 24, columns: 80)
            // Engine 20.10 gives the size just after the start (0 0 until then): the script waits for it.
            let script = #"""
                until s=$(stty size 2>/dev/null) && [ -n "$s" ]; do sleep 0.05; done
                echo "size $s"
                trap 'echo "resized $(stty size)"; exit 3' WINCH
                echo waiting
                sleep 600 & wait
                """#
            let client = try ChildProcess([sb.engine.cli, "run", "--rm", "-t", "--sig-proxy=false"] + sb.tag
                                          + [sb.image, "sh", "-c", script], options)
            try await client.waitForStdout("waiting")
            #expect(client.stdout.text.contains("size 24 80\r"))
            client.resizeTerminal(rows: 40, columns: 132)
            try await client.waitForStdout("resized 40 132")
            let outcome = try await client.finish()
            #expect(outcome.termination == .exited(3), "\(outcome)")
        }
    }

    @Test("-t without a terminal on the client's stdout: the container's terminal has no size")
    func noTerminalNoSize() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm", "-t"] + sb.tag + [sb.image, "stty", "size"])
            // busybox's stty on a terminal of 0 0: its error (with a stale errno), on the terminal, so on stdout.
            #expect(run.out.hasPrefix("stty: standard input"), "\(run)")
        }
    }
}
