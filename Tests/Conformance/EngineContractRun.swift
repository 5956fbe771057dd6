import Foundation
import Glibc
import Testing

/// `docker run` as the real engine does it (docs/docker-contract.md, "Exit codes of docker itself" and
/// "docker run"): these prove that fake-docker is indistinguishable from docker where dockrun relies on it.
@Suite("Engine contract: docker run")
struct EngineContractRun {
    /// What docker appends to every `docker run` failure it reports itself.
    static let runHelpTail = "\n\nRun 'docker run --help' for more information\n"

    @Test("run exits with the container's code, stdout and stderr apart")
    func containerCode() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm"] + sb.tag + [sb.image, "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(run.code == 3)
            #expect(run.out == "out\n")
            #expect(run.err == "err\n")
        }
    }

    @Test("unknown flag on run: 125 and docker's usage text")
    func unknownFlag() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--bogus", sb.image])
            #expect(run.code == 125)
            #expect(run.err == "unknown flag: --bogus\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]" + Self.runHelpTail)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("run with no image: 1 and docker's usage text")
    func noImage() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run"])
            #expect(run.code == 1)
            #expect(run.err == "docker: 'docker run' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'docker run --help' for more information\n")
        }
    }

    @Test("command not found in the image: 127 with the OCI runtime message")
    func commandNotFound() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm"] + sb.tag + [sb.image, "nosuchcmd"])
            #expect(run.code == 127)
            #expect(run.err == #"docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown"# + Self.runHelpTail)
        }
    }

    @Test("command not executable: 126 with the OCI runtime message")
    func commandNotExecutable() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm"] + sb.tag + [sb.image, "/etc"])
            #expect(run.code == 126)
            #expect(run.err == #"docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/etc": permission denied: unknown"# + Self.runHelpTail)
        }
    }

    @Test("a failed start leaves a created container with the failure's exit code")
    func failedStartLeavesCreated() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--name", sb.name()] + sb.tag + [sb.image, "nosuchcmd"])
            #expect(run.code == 127)
            #expect(try await sb.inspect(sb.name(), "{{.State.Status}} {{.State.ExitCode}}") == "created 127")
        }
    }

    @Test("missing image with no registry reachable: 125, 'Unable to find image' first")
    func missingImage() async throws {
        try await Sandbox.with { sb in
            // The engine has no network (its own namespace), so the implicit pull fails at once.
            let run = try await sb.docker(["run", "--rm"] + sb.tag + ["nosuchimage:x"])
            #expect(run.code == 125)
            #expect(run.err.hasPrefix("Unable to find image 'nosuchimage:x' locally\ndocker: Error response from daemon: "))
            #expect(run.err.hasSuffix(Self.runHelpTail))
        }
    }

    @Test("--cidfile that already exists: 125, docker's message, file untouched")
    func cidfileExists() async throws {
        try await Sandbox.with { sb in
            let cidfile = sb.path("cid")
            try "stale".write(toFile: cidfile, atomically: false, encoding: .utf8)
            let run = try await sb.docker(["run", "--rm", "--cidfile", cidfile] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err == "docker: container ID file found, make sure the other container isn't running or delete \(cidfile)" + Self.runHelpTail)
            #expect(try String(contentsOfFile: cidfile, encoding: .utf8) == "stale")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("--cidfile holds the 64-hex ID without a newline and is kept after --rm")
    func cidfileContent() async throws {
        try await Sandbox.with { sb in
            let cidfile = sb.path("cid")
            let run = try await sb.docker(["run", "--rm", "--cidfile", cidfile] + sb.tag + [sb.image, "true"])
            #expect(run.code == 0)
            let content = try String(contentsOfFile: cidfile, encoding: .utf8)
            #expect(matches(content, hex64), "cidfile: \(content.debugDescription)")
        }
    }

    @Test("--cidfile is written before the container starts")
    func cidfileBeforeStart() async throws {
        try await Sandbox.with { sb in
            let cidfile = sb.path("cid")
            let run = try sb.startDocker(["run", "--rm", "-i", "--cidfile", cidfile] + sb.tag
                                         + [sb.image, "sh", "-c", "echo ready; read x"], keepStdinOpen: true)
            try await run.waitForStdout("ready\n")
            let content = try String(contentsOfFile: cidfile, encoding: .utf8)
            #expect(matches(content, hex64))
            #expect(try await sb.inspect(content, "{{.State.Running}}") == "true")
            run.write(toStdin: "go\n")
            #expect(try await run.finish().code == 0)
        }
    }

    @Test("--cidfile is removed when create fails")
    func cidfileRemovedOnFailedCreate() async throws {
        try await Sandbox.with { sb in
            let created = try await sb.docker(["create", "--name", sb.name()] + sb.tag + [sb.image, "true"])
            #expect(created.code == 0)
            let cidfile = sb.path("cid")
            let run = try await sb.docker(["run", "--cidfile", cidfile, "--name", sb.name()] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(!FileManager.default.fileExists(atPath: cidfile))
        }
    }

    @Test("name in use: 125 and docker's conflict message")
    func nameConflict() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let created = try await sb.docker(["create", "--name", name] + sb.tag + [sb.image, "true"])
            let id = created.out.trimmingCharacters(in: .newlines)
            let run = try await sb.docker(["run", "--name", name] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err == "docker: Error response from daemon: Conflict. The container name \"/\(name)\" is already in use by container \"\(id)\". You have to remove (or rename) that container to be able to reuse that name." + Self.runHelpTail)
        }
    }

    @Test("invalid name: 125 and docker's message")
    func invalidName() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--name", "bad name"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err == "docker: Error response from daemon: Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed" + Self.runHelpTail)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("-a stdin -d: 1, conflicting options")
    func attachDetach() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "-a", "stdin", "-d"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 1)
            #expect(run.err == "conflicting options: cannot specify both --attach and --detach\n")
        }
    }

    @Test("--rm with --restart: 125, conflicting options")
    func removeWithRestart() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm", "--restart", "always"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err == "docker: conflicting options: cannot specify both --restart and --rm" + Self.runHelpTail)
        }
    }

    @Test("-it with stdin not a terminal: 1, not a TTY")
    func interactiveTTYWithoutTerminal() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "-it", "--rm"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 1)
            #expect(run.err == "the input device is not a TTY\n"
                    || run.err == "cannot attach stdin to a TTY-enabled container because stdin is not a terminal\n",
                    "\(run.err.debugDescription)")
        }
    }

    @Test("daemon unreachable: run 125, other commands 1, docker's message")
    func daemonUnreachable() async throws {
        try await Sandbox.with { sb in
            let down = try await sb.daemonDown()
            let run = try await sb.docker(["run", "--rm"] + sb.tag + [sb.image, "true"], environment: down)
            #expect(run.code == 125)
            #expect(matches(run.err, #"docker: Cannot connect to the Docker daemon at unix://\S+\. Is the docker daemon running\?\n\nRun 'docker run --help' for more information\n"#), "\(run.err.debugDescription)")
            let ps = try await sb.docker(["ps"], environment: down)
            #expect(ps.code == 1)
            #expect(matches(ps.err, #"Cannot connect to the Docker daemon at unix://\S+\. Is the docker daemon running\?\n"#), "\(ps.err.debugDescription)")
        }
    }

    @Test("option forms: -e V, -eV, -e=V, --env=V, --name=x and -- before IMAGE")
    func optionForms() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm", "-e", "A=1", "-eB=2", "-e=C=3", "--env=D=4", "--name=\(sb.name())"]
                                          + sb.tag + ["--", sb.image, "sh", "-c", "echo $A$B$C$D"])
            #expect(run.code == 0)
            #expect(run.out == "1234\n")
        }
    }

    @Test("everything after IMAGE is the container's command, options included")
    func commandAfterImage() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm"] + sb.tag + [sb.image, "printf", "%s\\n", "--rm", "-d", "--name", "x"])
            #expect(run.code == 0)
            #expect(run.out == "--rm\n-d\n--name\nx\n")
        }
    }

    @Test("--rm removes the container after it exits; --rm=false keeps it")
    func removeAfterExit() async throws {
        try await Sandbox.with { sb in
            let removed = try await sb.docker(["run", "--rm"] + sb.tag + [sb.image, "true"])
            #expect(removed.code == 0)
            #expect(try await sb.containers().isEmpty)
            let kept = try await sb.docker(["run", "--rm=false"] + sb.tag + [sb.image, "true"])
            #expect(kept.code == 0)
            #expect(try await sb.containers().count == 1)
        }
    }

    @Test("-i passes stdin through byte for byte")
    func stdinPassThrough() async throws {
        try await Sandbox.with { sb in
            let input: [UInt8] = [0x61, 0x00, 0x62, 0xff, 0x0a, 0x63]
            let run = try await sb.docker(["run", "--rm", "-i"] + sb.tag + [sb.image, "cat"], stdin: input)
            #expect(run.code == 0)
            #expect(run.stdout == input)
        }
    }

    @Test("attached output is byte-exact: binary, no trailing newline")
    func binaryOutput() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm"] + sb.tag + [sb.image, "printf", #"\000\001\377abc"#])
            #expect(run.code == 0)
            #expect(run.stdout == [0, 1, 0xff, 0x61, 0x62, 0x63])
        }
    }

    @Test("-t merges stderr into stdout through a terminal")
    func ttyMerges() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm", "-t"] + sb.tag + [sb.image, "sh", "-c", "echo out; echo err >&2"])
            #expect(run.code == 0)
            #expect(run.out == "out\r\nerr\r\n")
            #expect(run.err == "")
        }
    }

    @Test("run -d prints the 64-hex ID and a newline")
    func detachedPrintsID() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "-d"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 0)
            #expect(matches(run.out, hex64 + "\n"), "\(run.out.debugDescription)")
        }
    }

    @Test("sig-proxy forwards TERM to the container; the client exits with the trap's code")
    func signalProxy() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDocker(["run", "--rm"] + sb.tag + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 7])])
            try await run.waitForStdout("ready\n")
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.code == 7)
            #expect(outcome.out == "ready\nTERM\n")
        }
    }

    @Test("--sig-proxy=false: a signal to the client neither reaches the container nor ends the client")
    func noSignalProxy() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDocker(["run", "--rm", "-i", "--sig-proxy=false"] + sb.tag
                                         + [sb.image, "sh", "-c", #"trap "echo TERM" TERM; echo ready; read x; echo after"#],
                                         keepStdinOpen: true)
            try await run.waitForStdout("ready\n")
            run.signal(SIGTERM)
            // Gives a client that wrongly proxies or dies the chance to do it before the container ends.
            try await Task.sleep(nanoseconds: 300_000_000)
            #expect(run.isRunning)
            run.write(toStdin: "go\n")
            let outcome = try await run.finish()
            #expect(outcome.code == 0)
            #expect(outcome.out == "ready\nafter\n")
        }
    }

    @Test("three TERMs make the client give up: 1, 'forcefully exiting', container left running")
    func threeSignalsForceExit() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try sb.startDocker(["run", "--name", name] + sb.tag
                                         + [sb.image, "sh", "-c", #"trap "echo TERM" TERM; echo ready; while :; do sleep 0.1; done"#])
            try await run.waitForStdout("ready\n")
            for delivered in 1...3 {
                run.signal(SIGTERM)
                // Each TERM is forwarded; waiting for the trap's line keeps the three from coalescing.
                if delivered < 3 { try await run.waitForStdout(String(repeating: "TERM\n", count: delivered)) }
            }
            #expect(try await run.waitForExit() == .exited(1))
            try await ChildProcess.eventually("the give-up message") { run.stderr.text.contains("got 3 SIGTERM/SIGINTs, forcefully exiting\n") }
            // The container outlives its client, but not holding the client's output open: the engine
            // attached it through its own pipes, so EOF comes when the client exits.
            #expect(processesHoldingPipe(inode: run.stdout.pipeInode).isEmpty, "a process still holds the exited client's stdout")
            #expect(try await sb.inspect(name, "{{.State.Running}}") == "true")
        }
    }

    @Test("PID 1 ignores an untrapped TERM: stop -t 1 ends it with 137")
    func pidOneIgnoresTerm() async throws {
        try await Sandbox.with { sb in
            let started = try await sb.docker(["run", "-d"] + sb.tag + [sb.image, "sleep", "600"])
            let id = started.out.trimmingCharacters(in: .newlines)
            let stop = try await sb.docker(["stop", "-t", "1", id])
            #expect(stop.code == 0)
            #expect(stop.out == id + "\n")
            let wait = try await sb.docker(["wait", id])
            #expect(wait.out == "137\n")
        }
    }

    @Test("stop runs the container's trap; wait reports the trap's code")
    func stopRunsTrap() async throws {
        try await Sandbox.with { sb in
            let started = try await sb.docker(["run", "-d"] + sb.tag + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 42])])
            let id = started.out.trimmingCharacters(in: .newlines)
            try await ContainerScript.awaitReady(sb, id)
            #expect(try await sb.docker(["stop", id]).code == 0)
            #expect(try await sb.docker(["wait", id]).out == "42\n")
        }
    }

    @Test("--stop-signal and --stop-timeout are kept on the container and used by stop")
    func stopSignalAndTimeout() async throws {
        try await Sandbox.with { sb in
            let trapped = try await sb.docker(["run", "-d", "--stop-signal", "SIGUSR1"] + sb.tag
                                              + [sb.image, "sh", "-c", ContainerScript.trapping(["USR1": 9])])
            let trappedID = trapped.out.trimmingCharacters(in: .newlines)
            try await ContainerScript.awaitReady(sb, trappedID)
            #expect(try await sb.docker(["stop", trappedID]).code == 0)
            #expect(try await sb.docker(["wait", trappedID]).out == "9\n")

            // With no -t, stop waits the container's own --stop-timeout; then SIGKILL gives 137.
            let ignoring = try await sb.docker(["run", "-d", "--stop-timeout", "1"] + sb.tag + [sb.image, "sleep", "600"])
            let ignoringID = ignoring.out.trimmingCharacters(in: .newlines)
            #expect(try await sb.docker(["stop", ignoringID], timeout: 8).code == 0)
            #expect(try await sb.docker(["wait", ignoringID]).out == "137\n")
        }
    }
}
