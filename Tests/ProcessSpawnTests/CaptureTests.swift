import Foundation
import Glibc
import ProcessSpawn
import Testing

/// The one process capture (dockrun's blocking docker calls, the scenario tool, the tests' harness).
@Suite("Capturing a process")
struct CaptureTests {
    @Test("stdout and stderr are read together: a child filling both pipes past their size does not stall")
    func bothStreams() throws {
        let ran = try captureOutput(["/bin/sh", "-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2; exit 3"])
        #expect(ran.status == .exited(3))
        #expect(ran.stdout.count == 300_000 && ran.stderr.count == 300_000)
        #expect(!ran.killed)
    }

    @Test("stdin is fed the bytes, then EOF; none given is /dev/null")
    func stdin() throws {
        let fed = try captureOutput(["/bin/cat"], stdin: Array("hello\n".utf8))
        #expect(fed.stdout == Array("hello\n".utf8))
        let none = try captureOutput(["/bin/sh", "-c", "cat; readlink /proc/self/fd/0"])
        #expect(String(decoding: none.stdout, as: UTF8.self) == "/dev/null\n")
    }

    @Test("a child that never reads its stdin gets it closed, and the caller is not killed by SIGPIPE")
    func unreadStdin() throws {
        let ran = try captureOutput(["/bin/sh", "-c", "exec 0<&-; echo done"], stdin: [UInt8](repeating: 65, count: 1 << 20))
        #expect(ran.status == .exited(0))
        #expect(ran.stdout == Array("done\n".utf8))
    }

    @Test("each stream keeps at most the limit, and the rest is read and dropped")
    func limit() throws {
        let ran = try captureOutput(["/bin/sh", "-c", "head -c 100000 /dev/zero; echo err >&2"],
                                    limits: CaptureLimits(bytes: 10))
        #expect(ran.stdout.count == 10)
        #expect(ran.stderr == Array("err\n".utf8))
        #expect(ran.status == .exited(0))
    }

    @Test("past killAfter the child and its group are killed, and the capture says so")
    func killAfter() throws {
        var options = SpawnOptions()
        options.processGroup = .own
        let ran = try captureOutput(["/bin/sh", "-c", "sleep 600 & echo $!; wait"], options,
                                    limits: CaptureLimits(killAfter: 0.2, outputAfterExit: 30))
        #expect(ran.status == .signaled(SIGKILL))
        #expect(ran.killed)
        // The sleep, in the group, is gone or a zombie not yet reaped by whoever inherited it.
        let sleep = String(decoding: ran.stdout, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "?"
        // A SIGKILL is delivered when the process next runs: on a loaded machine it may still show running a moment.
        var stat = ""
        let deadline = Date().addingTimeInterval(10)
        repeat {
            stat = (try? String(contentsOfFile: "/proc/\(sleep)/stat", encoding: .utf8)) ?? ""
            if stat.isEmpty || stat.contains(") Z ") { break }
            usleep(10_000)
        } while Date() < deadline
        #expect(stat.isEmpty || stat.contains(") Z "), "the group's sleep still runs 10 s after the kill: \(stat)")
    }

    @Test("the exit is reported as it happens; the output is waited for until outputAfterExit")
    func outputHeldAfterExit() throws {
        var options = SpawnOptions()
        options.processGroup = .own
        var exitSeen: ProcessSpawn.ExitStatus?
        var group: pid_t = 0
        // The shell exits at once; the sleep it leaves holds stdout open.
        let ran = try captureOutput(["/bin/sh", "-c", "echo hi; sleep 600 & exit 4"], options,
                                    limits: CaptureLimits(outputAfterExit: 0.2),
                                    started: { group = $0 }, exited: { exitSeen = $0 })
        kill(-group, SIGKILL)
        #expect(exitSeen == .exited(4))
        #expect(ran.status == .exited(4))
        #expect(ran.stdout == Array("hi\n".utf8))
    }

    @Test("a program that cannot be started throws its errno")
    func notFound() {
        #expect(throws: SystemCallError(errno: ENOENT)) { try captureOutput(["/nonexistent/program"]) }
    }
}
