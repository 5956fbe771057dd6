import Foundation
import Glibc
import Testing

/// Never an orphan, even in the first second (docs/dockrun.md behaviour 7): a create or start that the engine had
/// received when dockrun or its client was killed still lands, and is found by the run's label and torn down; the
/// private directory is known to the guardian before it exists.
@Suite("dockrun 7: never an orphan, even in the first second")
struct DockrunFirstSecond {
    /// A docker CLI whose `run` creates the container (without the cidfile, so dockrun cannot know it) and is then
    /// killed, as a client SIGKILLed between the engine's create and its cidfile write; every other command is the
    /// engine's own CLI.
    private static func clientDyingAfterCreate(_ sb: Sandbox) throws -> String {
        let path = sb.path("docker-dying-after-create")
        let script = """
            #!/bin/sh
            if [ "$1" = run ]; then
                shift
                n=$#
                while [ $n -gt 0 ]; do
                    a=$1; shift; n=$((n - 1))
                    case $a in
                        --cidfile) shift; n=$((n - 1)) ;;
                        --sig-proxy=false) ;;
                        *) set -- "$@" "$a" ;;
                    esac
                done
                '\(sb.engine.cli)' create "$@" >/dev/null || exit 125
                kill -KILL $$
            fi
            exec '\(sb.engine.cli)' "$@"

            """
        // Written through a close-on-exec descriptor: one inherited by a process that a concurrent test forks
        // meanwhile would keep the file open for writing, and exec would fail with ETXTBSY.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let bytes = Array(script.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
        return path
    }

    @Test("15: a client killed after its create, before the ID reached dockrun: the container is removed with --rm, the client's code, and the name is free again")
    func clientKilledAfterCreateRemove() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let docker = try Self.clientDyingAfterCreate(sb)
            let outcome = try await sb.dockrun(["--rm", "--name", name] + sb.tag + [sb.image, "sleep", "600"],
                                               environment: ["DOCKRUN_DOCKER": docker], timeout: 90)
            #expect(outcome.code == 137, "\(outcome)")
            #expect(outcome.err.contains("dockrun: docker client was killed (signal 9) before its container was known"), "\(outcome.err)")
            #expect(matches(outcome.err.split(separator: "\n").last.map(String.init) ?? "", #"dockrun: container [0-9a-f]{64} removed"#),
                    "\(outcome.err)")
            #expect(try await sb.containers().isEmpty)
            let again = try await sb.dockrun(["--rm", "--name", name] + sb.tag + [sb.image, "true"])
            #expect(again.code == 0, "the name is free: \(again)")
        }
    }

    @Test("15: a client killed after its create, without --rm: the created container is kept, said, and nothing runs")
    func clientKilledAfterCreateKeep() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let docker = try Self.clientDyingAfterCreate(sb)
            let outcome = try await sb.dockrun(["--name", name] + sb.tag + [sb.image, "sleep", "600"],
                                               environment: ["DOCKRUN_DOCKER": docker], timeout: 90)
            #expect(outcome.code == 137, "\(outcome)")
            #expect(outcome.err.contains("kept (no --rm)"), "\(outcome.err)")
            #expect(try await sb.inspect(name, "{{.State.Status}}") == "created")
        }
    }

    @Test("15: SIGKILL to dockrun in its first second, again and again: nothing is left once its guardian is done")
    func killedInTheFirstSecond() async throws {
        try await Sandbox.with { sb in
            let tmp = try sb.temporaryDirectory()
            var generator = SystemRandomNumberGenerator()
            for attempt in 0..<(sb.engine.isFake ? 3 : 8) {
                let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sleep", "600"], environment: ["TMPDIR": tmp])
                try await ChildProcess.eventually("dockrun's docker run client") {
                    run.children.contains { $0.dropFirst().first == "run" }
                }
                // The harm's moment, spread over the create and the start (the window the engine completes after).
                try await Task.sleep(nanoseconds: UInt64.random(in: 0...400_000_000, using: &generator))
                run.signal(SIGKILL)
                let outcome = try await run.finish(timeout: 90)
                #expect(outcome.code == 137, "attempt \(attempt): \(outcome)")
                #expect(try await sb.containers().isEmpty, "attempt \(attempt): \(outcome.err)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "attempt \(attempt)")
            }
        }
    }

    @Test("15: SIGKILL to dockrun as soon as its private directory exists: the guardian deletes it")
    func killedAsTheDirectoryAppears() async throws {
        try await Sandbox.with { sb in
            let tmp = try sb.temporaryDirectory()
            for attempt in 0..<3 {
                let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "true"], environment: ["TMPDIR": tmp])
                try await ChildProcess.eventually("dockrun's private directory", timeout: 60) {
                    try !FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty || !run.isRunning
                }
                run.signal(SIGKILL)
                let outcome = try await run.finish(timeout: 90)
                #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "attempt \(attempt)")
                #expect(try await sb.containers().isEmpty, "attempt \(attempt)")
                // A guardian that took over names the dockrun it outlived, even one killed before the guardian first
                // ran (it was then PID 1's child already).
                for line in outcome.err.split(separator: "\n") where line.hasPrefix("dockrun: guardian: dockrun (pid ") {
                    #expect(line.hasPrefix("dockrun: guardian: dockrun (pid \(run.pid)) "), "attempt \(attempt)")
                }
            }
        }
    }
}
