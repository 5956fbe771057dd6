import Foundation
import Testing

/// `--restart` enforced as the engine enforces it (docs/engine-observations.md, "Restart policies"): dockrun refuses
/// restart policies, but fake-docker is a test double for other people's CI, which use them. Each wait is for a state
/// the engine reaches (a RestartCount, a status), never a sleep.
@Suite("engine contract: restart policies")
struct EngineContractRestartPolicy {
    func state(_ sb: Sandbox, _ name: String) async throws -> String? {
        try await sb.inspect(name, "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}")
    }

    /// A container whose runs print `echo`'s text, last until `release` makes /tmp/go (in the filesystem every later
    /// run shares, so those do not wait), then exit with `code`.
    func runHeld(_ sb: Sandbox, _ name: String, policy: String, echo: String? = nil, code: Int) async throws {
        let script = (echo.map { "echo \($0); " } ?? "") + "while [ ! -e /tmp/go ]; do sleep 0.05; done; exit \(code)"
        let run = try await sb.docker(["run", "-d", "--name", name, "--restart", policy] + sb.tag + [sb.image, "sh", "-c", script])
        #expect(run.code == 0, "\(run)")
    }

    func release(_ sb: Sandbox, _ name: String) async throws {
        let touched = try await sb.docker(["exec", name, "touch", "/tmp/go"])
        #expect(touched.code == 0, "\(touched)")
    }

    @Test("on-failure:2 restarts a failing container twice, then leaves it exited with its code; the log has each run")
    func onFailureStopsAfterN() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try await sb.docker(["run", "-d", "--name", name, "--restart", "on-failure:2"] + sb.tag
                                          + [sb.image, "sh", "-c", "echo run; exit 3"])
            #expect(run.code == 0, "\(run)")
            try await ChildProcess.eventually("the last restart to exit") { try await state(sb, name) == "exited 2 3" }
            #expect(try await sb.inspect(name, "{{json .HostConfig.RestartPolicy}}") == #"{"Name":"on-failure","MaximumRetryCount":2}"#)
            #expect(try await sb.docker(["logs", name]).out == "run\nrun\nrun\n")
        }
    }

    @Test("on-failure does not restart a clean exit")
    func onFailureCleanExit() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try await sb.docker(["run", "--name", name, "--restart", "on-failure"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 0, "\(run)")
            try await ChildProcess.eventually("the exit to be recorded") { try await state(sb, name) == "exited 0 0" }
            #expect(try await sb.inspect(name, "{{json .HostConfig.RestartPolicy}}") == #"{"Name":"on-failure","MaximumRetryCount":0}"#)
        }
    }

    @Test("always: between runs the container is restarting in ps and inspect, without a PID; docker stop ends it")
    func alwaysRestartingThenStop() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await sb.docker(["run", "-d", "--name", name, "--restart", "always"] + sb.tag + [sb.image, "sh", "-c", "exit 1"])
            // By the fourth restart the delay (800 ms) is far longer than a run: the container is found restarting.
            try await ChildProcess.eventually("the container to restart four times and wait") {
                let s = try await sb.inspect(name, "{{.State.Status}} {{.RestartCount}}") ?? ""
                return s.hasPrefix("restarting ") && (Int(s.split(separator: " ")[1]) ?? 0) >= 4
            }
            let seen = try await sb.inspect(name, "{{.State.Running}} {{.State.Restarting}} {{.State.Pid}} {{.State.ExitCode}}")
            #expect(seen == "true true 0 1" || seen?.hasPrefix("true false ") == true, "\(seen ?? "")")
            let ps = try await sb.docker(["ps", "-a", "--filter", "name=\(name)", "--format", "{{.State}}|{{.Status}}"]).out
            #expect(matches(ps, #"(restarting\|Restarting \(1\) (Less than a second|\d+ seconds?) ago|running\|Up .*)\n"#), "\(ps)")
            #expect(try await sb.inspect(name, "{{json .HostConfig.RestartPolicy}}") == #"{"Name":"always","MaximumRetryCount":0}"#)
            let stop = try await sb.docker(["stop", name])
            #expect(stop.code == 0, "\(stop)")
            let stopped = try await sb.inspect(name, "{{.State.Status}} {{.State.Restarting}} {{.State.Running}}")
            #expect(stopped == "exited false false")
        }
    }

    @Test("a kill ends the restarting of an always container: exited 137, never restarted")
    func killEndsAlways() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await sb.docker(["run", "-d", "--name", name, "--restart", "always"] + sb.tag + [sb.image, "sleep", "100"])
            let kill = try await sb.docker(["kill", name])
            #expect(kill.code == 0, "\(kill)")
            // The count goes up as the container enters `restarting`: exited with 0 restarts is final.
            try await ChildProcess.eventually("the kill's exit to be recorded") {
                (try await sb.inspect(name, "{{.State.Status}}")) != "running"
            }
            #expect(try await state(sb, name) == "exited 0 137")
        }
    }

    @Test("rm, exec and pause refuse a restarting container with the engine's messages; rm -f removes it")
    func rmRestarting() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let id = try await sb.docker(["run", "-d", "--name", name, "--restart", "always"] + sb.tag
                                         + [sb.image, "sh", "-c", "exit 1"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
            // Found at the start of the fifth restart's 1.6 s delay: the commands below fit in it.
            try await ChildProcess.eventually("the container to wait between restarts") {
                let s = try await sb.inspect(name, "{{.State.Status}} {{.RestartCount}}") ?? ""
                return s.hasPrefix("restarting ") && (Int(s.split(separator: " ")[1]) ?? 0) >= 5
            }
            // exec and pause refuse it too. The count read before and after shows whether it stayed restarting
            // throughout (a run between them would have counted); almost always.
            let before = try await sb.inspect(name, "{{.State.Status}} {{.RestartCount}}")
            let exec = try await sb.docker(["exec", name, "true"])
            let pause = try await sb.docker(["pause", name])
            if try await sb.inspect(name, "{{.State.Status}} {{.RestartCount}}") == before, before?.hasPrefix("restarting ") == true {
                let message = "Error response from daemon: Container \(id) is restarting, wait until the container is running\n"
                #expect(exec.code == 1 && exec.err == message, "\(exec)")
                #expect(pause.code == 1 && pause.err == message, "\(pause)")
            }
            let rm = try await sb.docker(["rm", name])
            // A restart may begin between the wait and the rm: then the engine says running instead.
            let restarting = "Error response from daemon: You cannot remove a restarting container \(id). Stop the container before attempting removal or force remove\n"
            let running = "Error response from daemon: You cannot remove a running container \(id). Stop the container before attempting removal or force remove\n"
            #expect(rm.code == 1 && (rm.err == restarting || rm.err == running), "\(rm)")
            #expect(try await sb.docker(["rm", "-f", name]).code == 0)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("an attached run returns the first exit's code and output; the container restarts on, its log has every run")
    func attachedRun() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try await sb.docker(["run", "--name", name, "--restart", "on-failure:3"] + sb.tag
                                          + [sb.image, "sh", "-c", "echo run; exit 3"])
            #expect(run.code == 3 && run.out == "run\n", "\(run)")
            try await ChildProcess.eventually("the last restart to exit") { try await state(sb, name) == "exited 3 3" }
            #expect(try await sb.docker(["logs", name]).out == "run\nrun\nrun\nrun\n")
        }
    }

    @Test("docker wait answers at the next exit with its code, though the policy starts the container again")
    func waitAnswersNextExit() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            // The first run lasts until the file is made; then every run exits 3 at once, an `always` container never
            // ends, and the delays stay short for a while: a wait that begins late still meets an exit soon.
            try await runHeld(sb, name, policy: "always", code: 3)
            let wait = try sb.startDocker(["wait", name])
            try await release(sb, name)
            let waited = try await wait.finish(timeout: 60)
            #expect(waited.code == 0 && waited.out == "3\n", "\(waited)")
            let status = try await sb.inspect(name, "{{.State.Status}}")
            #expect(status == "restarting" || status == "running", "\(status ?? "")")
            #expect(try await sb.docker(["rm", "-f", name]).code == 0)
        }
    }

    @Test("a restart that cannot start leaves the container exited with the last run's code and the start's error")
    func failedRestart() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await sb.docker(["run", "-d", "--name", name, "--restart", "always"] + sb.tag + [sb.image, "sh", "-c", "rm /bin/sh; exit 1"])
            try await ChildProcess.eventually("the failed restart") { try await state(sb, name) == "exited 1 1" }
            #expect(try await sb.inspect(name, "{{.State.Error}}") == #"failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown"#)
        }
    }

    @Test("logs -f ends with the run it follows, though the policy starts the container again")
    func followEndsWithRun() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            try await runHeld(sb, name, policy: "on-failure:2", echo: "run", code: 1)
            let follow = try sb.startDocker(["logs", "-f", name])
            try await follow.waitForStdout("run\n")
            try await release(sb, name)
            let followed = try await follow.finish(timeout: 30)
            // The next run prints "run" again, 100 ms after the exit at the earliest: the stream has ended by then.
            #expect(followed.code == 0 && followed.out == "run\n", "\(followed)")
            try await ChildProcess.eventually("the last restart to exit") { try await state(sb, name) == "exited 2 1" }
        }
    }

    @Test("docker start begins the count again")
    func startResetsCount() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await sb.docker(["run", "-d", "--name", name, "--restart", "on-failure:1"] + sb.tag
                                    + [sb.image, "sh", "-c", "echo run; exit 3"])
            try await ChildProcess.eventually("the restart to exit") { try await state(sb, name) == "exited 1 3" }
            #expect(try await sb.docker(["start", name]).code == 0)
            try await ChildProcess.eventually("two more runs") { try await sb.docker(["logs", name]).out == "run\nrun\nrun\nrun\n" }
            try await ChildProcess.eventually("the second restart to exit") { try await state(sb, name) == "exited 1 3" }
        }
    }

    @Test("--rm with a restart policy, and policies the client or the daemon refuse, in the engine's words")
    func refusals() async throws {
        try await Sandbox.with { sb in
            for policy in ["always", "on-failure", "unless-stopped"] {
                let run = try await sb.docker(["run", "--rm", "--restart", policy] + sb.tag + [sb.image, "true"])
                #expect(run.code == 125 && run.err == "docker: conflicting options: cannot specify both --restart and --rm\n\nRun 'docker run --help' for more information\n", "\(run)")
            }
            #expect(try await sb.docker(["run", "--rm", "--restart", "no"] + sb.tag + [sb.image, "true"]).code == 0)
            let format = try await sb.docker(["create", "--restart", "on-failure:x"] + sb.tag + [sb.image, "true"])
            #expect(format.code == 125 && format.err == "docker: invalid restart policy format: maximum retry count must be an integer\n\nRun 'docker create --help' for more information\n", "\(format)")
            let daemon: [(String, String)] = [
                ("bogus", "invalid restart policy 'bogus'"),
                ("always:3", "maximum retry count cannot be used with restart policy 'always'"),
                ("no:2", "maximum retry count cannot be used with restart policy 'no'"),
                ("on-failure:-1", "maximum retry count cannot be negative"),
            ]
            for (policy, message) in daemon {
                let create = try await sb.docker(["create", "--restart", policy] + sb.tag + [sb.image, "true"])
                #expect(create.code == 1 && create.err == "Error response from daemon: \(message)\n", "\(policy): \(create)")
            }
            let run = try await sb.docker(["run", "--restart", "bogus"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125 && run.err == "docker: Error response from daemon: invalid restart policy 'bogus'\n\nRun 'docker run --help' for more information\n", "\(run)")
            #expect(try await sb.containers().isEmpty, "no refused policy leaves a container")
        }
    }
}
