import Foundation
import Glibc
import Testing

/// docs/dockrun.md behaviour 1 (start: the client's streams passed straight through, the private cidfile, the user's
/// cidfile) and 6 (stdout is the container's alone, dockrun's own lines on stderr).
@Suite("dockrun 1: start and streams")
struct DockrunStart {
    @Test("1: stdout and stderr reach the caller apart, byte for byte")
    func streamsApart() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(run.code == 3)
            #expect(run.out == "out\n")
            #expect(run.err == "err\n")
        }
    }

    @Test("1: output is live: the first line is read before the container exits", arguments: ["", " >&2"])
    func outputIsLive(redirect: String) async throws {
        try await Sandbox.with { sb in
            // The container blocks on stdin after its first line, so it cannot exit until the test lets it.
            let run = try sb.startDockrun(["--rm", "-i"] + sb.tag + [sb.image, "sh", "-c", "echo first\(redirect); read x; echo second\(redirect)"],
                                          keepStdinOpen: true)
            let stream = redirect.isEmpty ? run.stdout : run.stderr
            try await ChildProcess.eventually("the first line") { stream.text.contains("first\n") || !run.isRunning }
            #expect(stream.text == "first\n")
            #expect(run.isRunning)
            run.write(toStdin: "go\n")
            let outcome = try await run.finish()
            #expect(outcome.code == 0)
            #expect((redirect.isEmpty ? outcome.out : outcome.err) == "first\nsecond\n")
        }
    }

    @Test("1: binary output and output without a final newline pass through unchanged")
    func binaryAndUnterminated() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", #"printf '\000\001\377abc'; printf 'no newline' >&2"#])
            #expect(run.code == 0)
            #expect(run.stdout == [0, 1, 0xff, 0x61, 0x62, 0x63])
            #expect(run.err == "no newline")
        }
    }

    @Test("1: 100 MiB of output pass through with dockrun's memory flat")
    func largeOutputFlatMemory() async throws {
        try await Sandbox.with { sb in
            let size = 100 * 1024 * 1024
            // The sleep keeps dockrun alive after the last byte so its final VmHWM is sampled, not missed.
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "dd if=/dev/zero bs=1048576 count=100 2>/dev/null; sleep 0.3"],
                                          keepStdout: false, sampleMemory: true)
            let outcome = try await run.finish(timeout: 120)
            #expect(outcome.code == 0)
            #expect(outcome.stdoutCount == size)
            let peakMiB = Double(run.peakResidentKiB) / 1024
            #expect(run.peakResidentKiB > 0, "VmHWM was never sampled")
            // The client's own descriptors are passed through, so dockrun never holds the data: its peak RSS
            // stays at its start-up size whatever the volume (the issue's figure: ≤ 16 MiB).
            #expect(peakMiB <= 16, "dockrun peak RSS \(peakMiB) MiB")
        }
    }

    @Test("1: -i pipes stdin into the container")
    func stdinPiping() async throws {
        try await Sandbox.with { sb in
            let input = Array("line one\nline two\n".utf8) + [0, 0xfe, 0x0a]
            let run = try await sb.dockrun(["--rm", "-i"] + sb.tag + [sb.image, "cat"], stdin: input)
            #expect(run.code == 0)
            #expect(run.stdout == input)
        }
    }

    @Test("1: the cidfile lives in a private 0700 directory under TMPDIR, gone on exit")
    func privateCidfileDirectory() async throws {
        try await Sandbox.with { sb in
            let tmp = sb.path("tmp")
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
            let run = try sb.startDockrun(["--rm", "-i"] + sb.tag + [sb.image, "sh", "-c", "echo ready; read x"],
                                          keepStdinOpen: true, environment: ["TMPDIR": tmp])
            try await run.waitForStdout("ready\n")
            let during = try FileManager.default.contentsOfDirectory(atPath: tmp)
            #expect(!during.isEmpty, "no private directory under TMPDIR while running")
            for entry in during {
                var info = stat()
                #expect(lstat(tmp + "/" + entry, &info) == 0)
                #expect(info.st_mode & S_IFMT == S_IFDIR, "\(entry) is not a directory")
                #expect(info.st_mode & 0o777 == 0o700, "\(entry) has mode \(String(info.st_mode & 0o777, radix: 8))")
                #expect(info.st_uid == getuid())
            }
            run.write(toStdin: "go\n")
            #expect(try await run.finish().code == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
        }
    }

    @Test("1: the private cidfile is removed on a failed start too")
    func privateDirectoryRemovedOnFailure() async throws {
        try await Sandbox.with { sb in
            let tmp = sb.path("tmp")
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "nosuchcmd"], environment: ["TMPDIR": tmp])
            #expect(run.code == 127)
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("1: a user's --cidfile is honoured and kept when the container is kept")
    func userCidfileKept() async throws {
        try await Sandbox.with { sb in
            let cidfile = sb.path("cid")
            let run = try await sb.dockrun(["--cidfile", cidfile] + sb.tag + [sb.image, "true"])
            #expect(run.code == 0)
            let content = try String(contentsOfFile: cidfile, encoding: .utf8)
            #expect(matches(content, hex64))
            #expect(try await sb.inspect(content, "{{.State.Status}}") == "exited")
        }
    }

    @Test("1: a user's -cidfile (single dash) is removed along with the container under --rm")
    func userCidfileRemovedWithContainer() async throws {
        try await Sandbox.with { sb in
            let cidfile = sb.path("cid")
            let run = try await sb.dockrun(["-rm", "-cidfile", cidfile] + sb.tag + [sb.image, "true"])
            #expect(run.code == 0)
            #expect(!FileManager.default.fileExists(atPath: cidfile))
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("1: a user cidfile that already exists: docker's 125, the file untouched, the old container untouched")
    func staleUserCidfile() async throws {
        try await Sandbox.with { sb in
            let old = try await sb.docker(["run", "-d", "--name", sb.name("old")] + sb.tag + [sb.image, "sleep", "600"])
            let oldID = old.out.trimmingCharacters(in: .newlines)
            let cidfile = sb.path("cid")
            try oldID.write(toFile: cidfile, atomically: false, encoding: .utf8)
            let run = try await sb.dockrun(["--rm", "--cidfile", cidfile] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err.contains("docker: container ID file found, make sure the other container isn't running or delete \(cidfile)"))
            #expect(try String(contentsOfFile: cidfile, encoding: .utf8) == oldID)
            #expect(try await sb.inspect(oldID, "{{.State.Running}}") == "true")
            #expect(try await sb.containers() == [String(oldID.prefix(12))])
        }
    }

    @Test("1: dockrun returns only after its docker client has exited")
    func clientWaitedFor() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "echo hi"])
            _ = try await run.waitForExit()
            // Anything still holding dockrun's stdout when it has exited (the client, above all) was not waited for.
            #expect(processesHoldingPipe(inode: run.stdout.pipeInode).isEmpty)
            let outcome = try await run.finish()
            #expect(outcome.code == 0)
            #expect(outcome.out == "hi\n")
        }
    }

    @Test("6: stdout carries only the container's output, even with DOCKRUN_DEBUG=1; dockrun's lines are prefixed")
    func stdoutOnlyContainerOutput() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "echo payload"],
                                           environment: ["DOCKRUN_DEBUG": "1"])
            #expect(run.code == 0)
            #expect(run.out == "payload\n")
            let lines = run.err.split(separator: "\n")
            #expect(!lines.isEmpty, "DOCKRUN_DEBUG=1 printed nothing")
            #expect(lines.allSatisfy { $0.hasPrefix("dockrun: ") }, "\(run.err)")
            #expect(lines.contains { $0.contains("run") && $0.contains("--cidfile") }, "the docker run command is not shown: \(run.err)")
        }
    }

    @Test("Interface: docker run options pass through in every spelling")
    func optionsPassThrough() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try await sb.dockrun(["--rm", "-e", "A=1", "-eB=2", "-e=C=3", "--env=D=4", "--name=\(name)", "-l", "k=v"]
                                           + sb.tag + ["--", sb.image, "sh", "-c", "echo $A$B$C$D"])
            #expect(run.code == 0)
            #expect(run.out == "1234\n")
        }
    }

    @Test("Interface: --rm=false keeps the container")
    func removeFalse() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm=false"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 0)
            #expect(try await sb.containers().count == 1)
        }
    }
}
