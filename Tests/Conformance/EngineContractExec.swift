import Foundation
import Testing

/// `docker exec`, `pause`/`unpause` and `restart`, as the real engine answers them (docs/engine-observations.md,
/// "exec, pause, restart"): the same assertions on both engines.
@Suite("Engine contract: exec, pause, restart")
struct EngineContractExec {
    /// A container that prints `tick N` every 0.1 s, and `got TERM` then exits 7 on TERM.
    static let ticker = ["sh", "-c", "trap 'echo got TERM; exit 7' TERM; echo started; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done"]

    /// Starts a ticker detached and returns its full ID once it runs.
    private func ticker(_ sb: Sandbox, name: String) async throws -> String {
        let started = try await sb.docker(["run", "-d", "--name", name] + sb.tag + [sb.image] + Self.ticker)
        #expect(started.code == 0, "run -d: \(started)")
        try await ChildProcess.eventually("the ticker to start") { try await sb.docker(["logs", name]).out.contains("tick 0") }
        return started.out.trimmingCharacters(in: .newlines)
    }

    private func ticks(_ sb: Sandbox, _ name: String) async throws -> Int {
        try await sb.docker(["logs", name]).out.split(separator: "\n").filter { $0.hasPrefix("tick") }.count
    }

    @Test("exec runs the command in the container: its output, its stderr, its exit code")
    func execRuns() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            let hello = try await sb.docker(["exec", name, "echo", "hello"])
            #expect(hello.code == 0 && hello.out == "hello\n" && hello.err.isEmpty, "\(hello)")
            let failing = try await sb.docker(["exec", name, "sh", "-c", "echo err >&2; exit 3"])
            #expect(failing.code == 3 && failing.out.isEmpty && failing.err == "err\n", "\(failing)")
            // Its environment is the container's: PATH, HOSTNAME, HOME / (no passwd entry in the image).
            let env = try await sb.docker(["exec", name, "env"])
            let id = try await sb.inspect(name, "{{.Id}}") ?? ""
            #expect(env.out == "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=\(id.prefix(12))\nHOME=/\n",
                    "\(env)")
        }
    }

    @Test("exec -i gives the command the client's stdin; without -i its stdin is empty")
    func execStdin() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            let piped = try await sb.docker(["exec", "-i", name, "cat"], stdin: Array("piped\n".utf8))
            #expect(piped.code == 0 && piped.out == "piped\n", "\(piped)")
            let closed = try await sb.docker(["exec", name, "cat"], stdin: Array("piped\n".utf8))
            #expect(closed.code == 0 && closed.out.isEmpty, "\(closed)")
        }
    }

    @Test("exec -t gives the command a terminal and TERM=xterm; -it without a terminal is refused")
    func execTerminal() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            let tty = try await sb.docker(["exec", "-t", name, "sh", "-c", "[ -t 0 ] && [ -t 1 ] && echo tty; echo $TERM"])
            #expect(tty.code == 0 && tty.out == "tty\r\nxterm\r\n", "\(tty)")
            let plain = try await sb.docker(["exec", name, "sh", "-c", "[ -t 0 ] || echo no tty; echo ${TERM-unset}"])
            #expect(plain.out == "no tty\nunset\n", "\(plain)")
            let refused = try await sb.docker(["exec", "-it", name, "true"], stdin: [])
            #expect(refused.code == 1 && refused.err == "the input device is not a TTY\n", "\(refused)")
        }
    }

    @Test("exec -d prints nothing, exits 0, and the command runs on")
    func execDetached() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            let detached = try await sb.docker(["exec", "-d", name, "sh", "-c", "echo detached > /tmp/d; exit 5"])
            #expect(detached.code == 0 && detached.out.isEmpty && detached.err.isEmpty, "\(detached)")
            try await ChildProcess.eventually("the detached command to write") {
                try await sb.docker(["exec", name, "cat", "/tmp/d"]).out == "detached\n"
            }
        }
    }

    @Test("exec -e: K=V set, a bare name from the client's environment or dropped; --env-file first; an empty one refused with 125")
    func execEnvironment() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            let env = try await sb.docker(["exec", "-e", "K=V", "-e", "DKT_FROM_CLIENT", "-e", "DKT_UNSET", name,
                                           "sh", "-c", "echo $K $DKT_FROM_CLIENT ${DKT_UNSET-unset}"],
                                          environment: ["DKT_FROM_CLIENT": "client"])
            #expect(env.code == 0 && env.out == "V client unset\n", "\(env)")
            // An --env-file's variables come before -e's.
            try "A=1\n# a comment\n\nDKT_FROM_CLIENT\n".write(toFile: sb.path("env"), atomically: true, encoding: .utf8)
            let file = try await sb.docker(["exec", "--env-file", sb.path("env"), "-e", "A=2", name, "sh", "-c", "echo $A $DKT_FROM_CLIENT"],
                                           environment: ["DKT_FROM_CLIENT": "client"])
            #expect(file.code == 0 && file.out == "2 client\n", "\(file)")
            let missing = try await sb.docker(["exec", "--env-file", sb.path("missing"), name, "true"])
            #expect(missing.code == 1 && missing.err == "open \(sb.path("missing")): no such file or directory\n", "\(missing)")
            let empty = try await sb.docker(["exec", "-e", "", name, "true"])
            #expect(empty.code == 125, "\(empty)")
            #expect(empty.err.hasPrefix("invalid argument \"\" for \"-e, --env\" flag: invalid environment variable: \n"), "\(empty)")
        }
    }

    @Test("exec -u UID[:GID] and -w DIR; an unknown user, a missing or relative directory: the message on stdout, 126")
    func execUserAndDirectory() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            #expect(try await sb.docker(["exec", "-u", "1000:1001", name, "id"]).out == "uid=1000 gid=1001 groups=1001\n")
            #expect(try await sb.docker(["exec", "-u", "1000", name, "id"]).out == "uid=1000 gid=0 groups=0\n")
            let unknown = try await sb.docker(["exec", "-u", "nosuch", name, "id"])
            #expect(unknown.code == 126 && unknown.out == "unable to find user nosuch: no matching entries in passwd file\r\n", "\(unknown)")
            #expect(try await sb.docker(["exec", "-w", "/tmp", name, "pwd"]).out == "/tmp\n")
            let missing = try await sb.docker(["exec", "-w", "/nonexist", name, "pwd"])
            #expect(missing.code == 126, "\(missing)")
            #expect(missing.out == "OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd (\"/nonexist\") set in config.json failed: no such file or directory: unknown\r\n")
            let relative = try await sb.docker(["exec", "-w", "rel", name, "pwd"])
            #expect(relative.code == 126 && relative.out == "OCI runtime exec failed: exec failed: Cwd must be an absolute path: unknown\r\n",
                    "\(relative)")
        }
    }

    @Test("exec of a command not found: runc's message on stdout, 126; with -d the daemon's on stderr, 1")
    func execNotFound() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            let message = "OCI runtime exec failed: exec failed: unable to start container process: exec: \"nosuchcmd\": executable file not found in $PATH: unknown"
            let attached = try await sb.docker(["exec", name, "nosuchcmd"])
            #expect(attached.code == 126 && attached.out == message + "\r\n" && attached.err.isEmpty, "\(attached)")
            let directory = try await sb.docker(["exec", name, "/tmp"])
            #expect(directory.code == 126, "\(directory)")
            #expect(directory.out == "OCI runtime exec failed: exec failed: unable to start container process: exec: \"/tmp\": permission denied: unknown\r\n")
            let detached = try await sb.docker(["exec", "-d", name, "nosuchcmd"])
            #expect(detached.code == 1 && detached.out.isEmpty && detached.err == "Error response from daemon: " + message + "\n", "\(detached)")
        }
    }

    @Test("exec without a command, into a stopped or missing container: the CLI's and the daemon's messages, 1")
    func execRefused() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let id = try await ticker(sb, name: name)
            let noCommand = try await sb.docker(["exec", name])
            #expect(noCommand.code == 1, "\(noCommand)")
            #expect(noCommand.err == "docker: 'docker exec' requires at least 2 arguments\n\nUsage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nSee 'docker exec --help' for more information\n")
            #expect(try await sb.docker(["kill", name]).code == 0)
            _ = try await sb.docker(["wait", name])
            let stopped = try await sb.docker(["exec", name, "true"])
            #expect(stopped.code == 1 && stopped.err == "Error response from daemon: Container \(id) is not running\n", "\(stopped)")
            let missing = try await sb.docker(["exec", sb.name("missing"), "true"])
            #expect(missing.code == 1 && missing.err == "Error response from daemon: No such container: \(sb.name("missing"))\n", "\(missing)")
        }
    }

    @Test("an exec'd process is in the container's PID namespace: it dies with the container, 137")
    func execDiesWithContainer() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            let exec = try sb.startDocker(["exec", name, "sh", "-c", "echo started; sleep 60"])
            try await exec.waitForStdout("started")
            #expect(try await sb.docker(["kill", name]).code == 0)
            let ended = try await exec.finish()
            #expect(ended.code == 137, "\(ended)")
        }
    }

    @Test("pause freezes every process: ps (Paused), State paused, no output, exec refused; unpause resumes it")
    func pauseFreezes() async throws {
        try await Sandbox.with { sb in
            let name = sb.name(), witness = sb.name("witness")
            _ = try await ticker(sb, name: name)
            _ = try await ticker(sb, name: witness)
            let paused = try await sb.docker(["pause", name])
            #expect(paused.code == 0 && paused.out == "\(name)\n", "\(paused)")
            let ps = try await sb.docker(["ps", "--filter", "name=\(name)", "--format", "{{.Status}}|{{.State}}"])
            #expect(matches(ps.out, #"Up [^|]+ \(Paused\)\|paused\n"#), "\(ps.out.debugDescription)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.Paused}} {{.State.Running}}") == "paused true true")
            let refused = try await sb.docker(["exec", name, "true"])
            #expect(refused.code == 1 && refused.err == "Error response from daemon: Container \(name) is paused, unpause the container before exec\n",
                    "\(refused)")
            // Frozen: while the witness ticks on (the time passing, seen as events), the paused one prints nothing.
            var witnessTicks = try await ticks(sb, witness)
            try await ChildProcess.eventually("the witness to tick twice") { try await ticks(sb, witness) >= witnessTicks + 2 }
            let frozenAt = try await ticks(sb, name)
            witnessTicks = try await ticks(sb, witness)
            try await ChildProcess.eventually("the witness to tick five times") { try await ticks(sb, witness) >= witnessTicks + 5 }
            #expect(try await ticks(sb, name) == frozenAt)
            let unpaused = try await sb.docker(["unpause", name])
            #expect(unpaused.code == 0 && unpaused.out == "\(name)\n", "\(unpaused)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.Paused}}") == "running false")
            try await ChildProcess.eventually("the container to tick again") { try await ticks(sb, name) > frozenAt }
        }
    }

    @Test("pause of a paused or stopped container, unpause of a running one, rm of a paused one: the daemon's messages, 1")
    func pauseRefused() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let id = try await ticker(sb, name: name)
            let unpause = try await sb.docker(["unpause", name])
            #expect(unpause.code == 1 && unpause.err == "Error response from daemon: Container \(id) is not paused\n", "\(unpause)")
            #expect(try await sb.docker(["pause", name]).code == 0)
            let again = try await sb.docker(["pause", name])
            #expect(again.code == 1 && again.err == "Error response from daemon: Container \(id) is already paused\n", "\(again)")
            let rm = try await sb.docker(["rm", name])
            #expect(rm.code == 1, "\(rm)")
            #expect(rm.err == "Error response from daemon: You cannot remove a paused container \(id). Unpause and then stop the container before attempting removal or force remove\n")
            #expect(try await sb.docker(["kill", name]).code == 0)
            #expect(try await sb.docker(["wait", name]).out == "137\n")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.Paused}} {{.State.ExitCode}}") == "exited false 137")
            let stopped = try await sb.docker(["pause", name, sb.name("missing")])
            #expect(stopped.code == 1, "\(stopped)")
            #expect(stopped.err == "Error response from daemon: Container \(id) is not running\nError response from daemon: No such container: \(sb.name("missing"))\n")
            let none = try await sb.docker(["pause"])
            #expect(none.code == 1 && none.err.hasPrefix("docker: 'docker pause' requires at least 1 argument\n"), "\(none)")
        }
    }

    @Test("a signal other than the stop signal leaves a paused container paused; without --stop-signal any signal thaws it")
    func killPaused() async throws {
        try await Sandbox.with { sb in
            let name = sb.name(), other = sb.name("stopsignal")
            let trap = ["sh", "-c", "trap 'echo got USR1' USR1; echo started; while true; do sleep 0.1; done"]
            for (container, options) in [(name, [String]()), (other, ["--stop-signal", "USR2"])] {
                #expect(try await sb.docker(["run", "-d", "--name", container] + options + sb.tag + [sb.image] + trap).code == 0)
                try await ChildProcess.eventually("\(container) to start") { try await sb.docker(["logs", container]).out == "started\n" }
                #expect(try await sb.docker(["pause", container]).code == 0)
                #expect(try await sb.docker(["kill", "-s", "USR1", container]).code == 0)
            }
            #expect(try await sb.inspect(name, "{{.State.Status}}") == "running")
            try await ChildProcess.eventually("the thawed container to take USR1") { try await sb.docker(["logs", name]).out == "started\ngot USR1\n" }
            #expect(try await sb.inspect(other, "{{.State.Status}} {{.State.Paused}}") == "paused true")
        }
    }

    @Test("stop of a paused container: its stop signal is delivered (it is thawed) and it exits by its trap")
    func stopPaused() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            #expect(try await sb.docker(["pause", name]).code == 0)
            let stop = try await sb.docker(["stop", "-t", "30", name])
            #expect(stop.code == 0 && stop.out == "\(name)\n", "\(stop)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.Paused}} {{.State.ExitCode}}") == "exited false 7")
            #expect(try await sb.docker(["logs", name]).out.hasSuffix("got TERM\n"))
        }
    }

    @Test("restart: stopped with the stop signal, started again, the log going on; RestartCount stays 0; a stopped one is started")
    func restart() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await ticker(sb, name: name)
            let restarted = try await sb.docker(["restart", "-t", "30", name])
            #expect(restarted.code == 0 && restarted.out == "\(name)\n", "\(restarted)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}") == "running 0 0")
            try await ChildProcess.eventually("the second run to print") {
                try await sb.docker(["logs", name]).out.split(separator: "\n").filter { $0 == "started" }.count == 2
            }
            let log = try await sb.docker(["logs", name]).out.split(separator: "\n").filter { !$0.hasPrefix("tick") }
            #expect(log == ["started", "got TERM", "started"], "\(log)")
            #expect(try await sb.docker(["kill", name]).code == 0)
            let fromStopped = try await sb.docker(["restart", name])
            #expect(fromStopped.code == 0 && fromStopped.out == "\(name)\n", "\(fromStopped)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.RestartCount}}") == "running 0")
            let missing = try await sb.docker(["restart", sb.name("missing")])
            #expect(missing.code == 1 && missing.err == "Error response from daemon: No such container: \(sb.name("missing"))\n", "\(missing)")
        }
    }
}
