import Foundation
import Glibc
import Testing

/// The other docker commands dockrun uses (wait, stop, kill, rm, commit, inspect, ps, logs, create/start,
/// images), as the real engine answers them (docs/docker-contract.md, "Other commands").
@Suite("Engine contract: other commands")
struct EngineContractCommands {
    /// Starts `sleep 600` detached and returns its full ID.
    private func sleeper(_ sb: Sandbox, name: String? = nil) async throws -> String {
        let named = name.map { ["--name", $0] } ?? []
        let started = try await sb.docker(["run", "-d"] + named + sb.tag + [sb.image, "sleep", "600"])
        #expect(started.code == 0, "run -d: \(started)")
        return started.out.trimmingCharacters(in: .newlines)
    }

    /// Runs `true` to completion (not removed) and returns its full ID.
    private func exited(_ sb: Sandbox, name: String? = nil, command: [String] = ["true"]) async throws -> String {
        let named = name.map { ["--name", $0] } ?? []
        let started = try await sb.docker(["run", "-d"] + named + sb.tag + [sb.image] + command)
        let id = started.out.trimmingCharacters(in: .newlines)
        _ = try await sb.docker(["wait", id])
        return id
    }

    /// `docker inspect ID` without -f, expected to succeed: the first object of its JSON array.
    private func inspectDocument(_ sb: Sandbox, _ id: String) async throws -> [String: Any]? {
        let inspect = try await sb.docker(["inspect", id])
        #expect(inspect.code == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(inspect.stdout)) as? [[String: Any]]
        return parsed?.first
    }

    @Test("wait prints each exit code on its own line")
    func waitCodes() async throws {
        try await Sandbox.with { sb in
            let first = try await exited(sb, command: ["sh", "-c", "exit 3"])
            let second = try await exited(sb, command: ["true"])
            let wait = try await sb.docker(["wait", first, second])
            #expect(wait.code == 0)
            #expect(wait.out == "3\n0\n")
        }
    }

    @Test("wait on a missing container: 1, No such container")
    func waitMissing() async throws {
        try await Sandbox.with { sb in
            let missing = sb.name("missing")
            let wait = try await sb.docker(["wait", missing])
            #expect(wait.code == 1)
            #expect(wait.err == "Error response from daemon: No such container: \(missing)\n")
        }
    }

    @Test("the CLI killed by a signal outside run reports 128+N")
    func cliKilledBySignal() async throws {
        try await Sandbox.with { sb in
            let id = try await sleeper(sb)
            let wait = try sb.startDocker(["wait", id])
            // wait has nothing to print until the container exits, so a short pause is the only way to know
            // the client is past start-up and inside its call.
            try await Task.sleep(nanoseconds: 500_000_000)
            wait.signal(SIGTERM)
            #expect(try await wait.finish().code == 143)
        }
    }

    @Test("stop prints its argument; an already stopped container is success; --time still works")
    func stopStopped() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await exited(sb, name: name)
            let stop = try await sb.docker(["stop", name])
            #expect(stop.code == 0)
            #expect(stop.out == name + "\n")
            let deprecated = try await sb.docker(["stop", "--time", "1", name])
            #expect(deprecated.code == 0)
            // The CLI prints its deprecation notice on stdout, ahead of the result.
            #expect(deprecated.out == "Flag --time has been deprecated, use --timeout instead\n" + name + "\n")
            #expect(deprecated.err == "")
        }
    }

    @Test("kill sends KILL by default and prints its argument")
    func killDefault() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await sleeper(sb, name: name)
            let kill = try await sb.docker(["kill", name])
            #expect(kill.code == 0)
            #expect(kill.out == name + "\n")
            #expect(try await sb.docker(["wait", name]).out == "137\n")
        }
    }

    @Test("kill -s delivers the named signal to the container")
    func killSignal() async throws {
        try await Sandbox.with { sb in
            let started = try await sb.docker(["run", "-d"] + sb.tag + [sb.image, "sh", "-c", ContainerScript.trapping(["USR2": 12])])
            let id = started.out.trimmingCharacters(in: .newlines)
            try await ContainerScript.awaitReady(sb, id)
            #expect(try await sb.docker(["kill", "-s", "USR2", id]).code == 0)
            #expect(try await sb.docker(["wait", id]).out == "12\n")
        }
    }

    @Test("kill on a stopped container: 1, not running")
    func killNotRunning() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let id = try await exited(sb, name: name)
            let kill = try await sb.docker(["kill", name])
            #expect(kill.code == 1)
            #expect(kill.err == "Error response from daemon: Cannot kill container: \(name): Container \(id) is not running\n")
        }
    }

    @Test("kill with a bad signal: 1, Invalid signal")
    func killBadSignal() async throws {
        try await Sandbox.with { sb in
            let id = try await sleeper(sb)
            let kill = try await sb.docker(["kill", "-s", "BOGUS", id])
            #expect(kill.code == 1)
            #expect(kill.err == "Error response from daemon: Invalid signal: BOGUS\n")
            #expect(try await sb.inspect(id, "{{.State.Running}}") == "true")
        }
    }

    @Test("rm prints its argument and removes an exited container")
    func removeExited() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            _ = try await exited(sb, name: name)
            let rm = try await sb.docker(["rm", name])
            #expect(rm.code == 0)
            #expect(rm.out == name + "\n")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("rm on a missing container: 1, No such container; rm -f on it: 0")
    func removeMissing() async throws {
        try await Sandbox.with { sb in
            let missing = sb.name("missing")
            let rm = try await sb.docker(["rm", missing])
            #expect(rm.code == 1)
            #expect(rm.err == "Error response from daemon: No such container: \(missing)\n")
            let forced = try await sb.docker(["rm", "-f", missing])
            #expect(forced.code == 0)
            // Engine 20.10 still prints the line; newer engines are silent. Both are docker.
            #expect(forced.err == "" || forced.err == rm.err, "\(forced.err.debugDescription)")
        }
    }

    @Test("rm on a running container without -f: 1 and docker's message; -f removes it")
    func removeRunning() async throws {
        try await Sandbox.with { sb in
            let id = try await sleeper(sb)
            let rm = try await sb.docker(["rm", id])
            #expect(rm.code == 1)
            #expect(rm.err == "Error response from daemon: You cannot remove a running container \(id). Stop the container before attempting removal or force remove\n")
            #expect(try await sb.docker(["rm", "-f", id]).code == 0)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("commit prints sha256:<64 hex> and the new image has the container's files")
    func commitSnapshot() async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb, command: ["sh", "-c", "echo data > marker"])
            let repository = sb.repository()
            let commit = try await sb.docker(["commit", id, repository])
            #expect(commit.code == 0)
            #expect(matches(commit.out, "sha256:" + hex64 + "\n"), "\(commit.out.debugDescription)")
            let read = try await sb.docker(["run", "--rm"] + sb.tag + [repository, "cat", "marker"])
            #expect(read.code == 0)
            #expect(read.out == "data\n")
        }
    }

    @Test("commit to localhost:5000/name:tag is valid (the port is not a tag)")
    func commitRegistryPort() async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb)
            let reference = "localhost:5000/dockrun-test-\(sb.id):t"
            let commit = try await sb.docker(["commit", id, reference])
            #expect(commit.code == 0, "\(commit)")
            let images = try await sb.docker(["images", "--format", "{{.Repository}} {{.Tag}}"])
            #expect(images.out.split(separator: "\n").contains("localhost:5000/dockrun-test-\(sb.id) t"))
        }
    }

    @Test("commit refuses bad references with docker's messages, exit 1", arguments: [
        ("Repo", "invalid reference format: repository name (library/Repo) must be lowercase\n"),
        ("a@sha256:" + String(repeating: "a", count: 64), "refusing to create a tag with a digest reference\n"),
        (":bad", "invalid reference format\n"),
        ("a:b:c", "invalid reference format\n"),
    ])
    func commitBadReference(reference: String, message: String) async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb)
            let commit = try await sb.docker(["commit", id, reference])
            #expect(commit.code == 1)
            #expect(commit.err == message)
        }
    }

    @Test("inspect -f reads Id, Name, State and Config fields, index and json")
    func inspectFields() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let id = try await exited(sb, name: name, command: ["sh", "-c", "exit 5"])
            let template = #"{{.Id}} {{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.State.Running}} {{.Config.Image}} {{index .Config.Labels "dockrun-test"}} {{json .Config.Labels}}"#
            let fields = try await sb.inspect(name, template)
            #expect(fields == "\(id) /\(name) exited 5 false \(Engine.image) \(sb.id) {\"dockrun-test\":\"\(sb.id)\"}")
        }
    }

    @Test("a unique ID prefix selects a container")
    func idPrefix() async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb)
            #expect(try await sb.inspect(String(id.prefix(12)), "{{.Id}}") == id)
        }
    }

    @Test("inspect shows created, running and exited states")
    func inspectStates() async throws {
        try await Sandbox.with { sb in
            let created = try await sb.docker(["create"] + sb.tag + [sb.image, "true"]).out.trimmingCharacters(in: .newlines)
            #expect(try await sb.inspect(created, "{{.State.Status}}") == "created")
            let running = try await sleeper(sb)
            #expect(try await sb.inspect(running, "{{.State.Status}} {{.State.Running}}") == "running true")
        }
    }

    @Test("the health check moves .State.Health.Status to healthy")
    func healthCheck() async throws {
        try await Sandbox.with { sb in
            let started = try await sb.docker(["run", "-d", "--health-cmd", "true", "--health-interval", "200ms"]
                                              + sb.tag + [sb.image, "sleep", "600"])
            let id = started.out.trimmingCharacters(in: .newlines)
            let first = try await sb.inspect(id, "{{.State.Health.Status}}")
            #expect(first == "starting" || first == "healthy", "\(first ?? "nil")")
            try await ChildProcess.eventually("\(id) to be healthy") {
                try await sb.inspect(id, "{{.State.Health.Status}}") == "healthy"
            }
        }
    }

    @Test("the health log keeps a check's stdout and stderr (4096 bytes, then ...), and a timeout's own message")
    func healthLogOutput() async throws {
        try await Sandbox.with { sb in
            func firstEntry(_ check: String, _ options: [String] = []) async throws -> (code: String?, output: String?) {
                let id = try await sb.docker(["run", "-d", "--health-cmd", check, "--health-interval", "200ms"] + options
                                             + sb.tag + [sb.image, "sleep", "600"]).out.trimmingCharacters(in: .newlines)
                try await ChildProcess.eventually("\(id)'s first health check") {
                    try await sb.inspect(id, "{{len .State.Health.Log}}").map { $0 != "0" } ?? false
                }
                return (try await sb.inspect(id, "{{(index .State.Health.Log 0).ExitCode}}"),
                        try await sb.inspect(id, "{{json (index .State.Health.Log 0).Output}}"))
            }
            let both = try await firstEntry("echo out; echo err >&2; exit 3")
            #expect(both.code == "3")
            // The engine copies the two streams apart into one buffer: their order is the copiers' race.
            #expect(both.output == #""out\nerr\n""# || both.output == #""err\nout\n""#, "\(both.output ?? "nil")")
            let long = try await firstEntry("yes | head -c 5000")
            #expect(long.output == "\"" + String(repeating: "y\\n", count: 2048) + "...\"")
            let slow = try await firstEntry("sleep 5", ["--health-timeout", "300ms"])
            #expect(slow.code == "-1")
            #expect(slow.output == #""Health check exceeded timeout (300ms)""#)
        }
    }

    // docs/engine-observations.md item 8: the typed State.Health is a nil pointer, the JSON has no key.
    @Test("without a health check .State.Health prints <nil> and json null; dockrun's readiness template prints the status")
    func noHealthCheckTemplates() async throws {
        try await Sandbox.with { sb in
            let created = try await sb.docker(["create"] + sb.tag + [sb.image, "true"]).out.trimmingCharacters(in: .newlines)
            let running = try await sleeper(sb)
            let finished = try await exited(sb)
            let readiness = "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}"
            let cases = [
                (created, readiness, "created "), (running, readiness, "running "), (finished, readiness, "exited "),
                (running, "{{.State.Health}}", "<nil>"), (running, "{{json .State.Health}}", "null"),
            ]
            for (id, template, printed) in cases {
                let inspect = try await sb.docker(["inspect", "-f", template, id])
                #expect(inspect.code == 0, "\(template): \(inspect)")
                #expect(inspect.out == printed + "\n")
                #expect(inspect.err == "")
            }
        }
    }

    // The obs-run JSON in docs/engine-observations.md: omitempty fields that are unset are not written.
    @Test("inspect JSON has no State.Health without a health check, nor Config.StopSignal or StopTimeout unset")
    func inspectJSONOmitsEmpty() async throws {
        try await Sandbox.with { sb in
            let document = try await inspectDocument(sb, try await sleeper(sb))
            let state = document?["State"] as? [String: Any]
            let config = document?["Config"] as? [String: Any]
            #expect(state?["Status"] as? String == "running")
            #expect(state?.keys.contains("Health") == false)
            #expect(config?["Image"] as? String == Engine.image)
            #expect(config?.keys.contains("StopSignal") == false)
            #expect(config?.keys.contains("StopTimeout") == false)
        }
    }

    @Test("inspect -f with an unknown key: 1, an empty line, docker's template error", arguments: [
        (".State.Bogus", "Bogus"),
        // Without a health check the typed pass stops at the nil State.Health and the engine's JSON, which
        // the second pass reads, has no Health key (docs/engine-observations.md item 8).
        (".State.Health.Status", "Health"),
    ])
    func inspectUnknownKey(_ field: String, _ key: String) async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb)
            let inspect = try await sb.docker(["inspect", "-f", "{{\(field)}}", id])
            #expect(inspect.code == 1)
            #expect(inspect.out == "\n")
            #expect(inspect.err == "template parsing error: template: :1:8: executing \"\" at <\(field)>: map has no entry for key \"\(key)\"\n")
        }
    }

    @Test("inspect -f with an unclosed action: 64, docker's template error")
    func inspectUnclosed() async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb)
            let inspect = try await sb.docker(["inspect", "-f", "{{.State", id])
            #expect(inspect.code == 64)
            #expect(inspect.err == "template parsing error: template: :1: unclosed action\n")
        }
    }

    @Test("inspect of a missing object: [] and 1; container inspect says No such container")
    func inspectMissing() async throws {
        try await Sandbox.with { sb in
            let missing = sb.name("missing")
            let inspect = try await sb.docker(["inspect", missing])
            #expect(inspect.code == 1)
            #expect(inspect.out == "[]\n")
            #expect(inspect.err == "Error: No such object: \(missing)\n")
            let container = try await sb.docker(["container", "inspect", missing])
            #expect(container.code == 1)
            #expect(container.out == "[]\n")
            #expect(container.err == "Error response from daemon: No such container: \(missing)\n")
        }
    }

    @Test("inspect without -f prints a JSON array")
    func inspectJSON() async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb)
            #expect(try await inspectDocument(sb, id)?["Id"] as? String == id)
        }
    }

    @Test("ps -a --format shows ID, status text and name, newest first")
    func psFormat() async throws {
        try await Sandbox.with { sb in
            let older = sb.name("older"), newer = sb.name("newer"), created = sb.name("created")
            _ = try await exited(sb, name: older, command: ["sh", "-c", "exit 2"])
            _ = try await sleeper(sb, name: newer)
            _ = try await sb.docker(["create", "--name", created] + sb.tag + [sb.image, "true"])
            let ps = try await sb.docker(["ps", "-a", "--filter", "label=\(sb.label)", "--format", "{{.ID}}|{{.Status}}|{{.Names}}"])
            #expect(ps.code == 0)
            let rows = ps.out.split(separator: "\n").map(String.init)
            #expect(rows.count == 3, "\(rows)")
            guard rows.count == 3 else { return }
            #expect(matches(rows[0], "\(hex12)\\|Created\\|\(created)"), "\(rows[0])")
            // docker's human durations, as far as a slow machine may take between the runs and the listing.
            let since = "(Less than a second|[0-9]+ seconds?|About a minute|[0-9]+ minutes)"
            #expect(matches(rows[1], "\(hex12)\\|Up \(since)\\|\(newer)"), "\(rows[1])")
            #expect(matches(rows[2], "\(hex12)\\|Exited \\(2\\) \(since) ago\\|\(older)"), "\(rows[2])")
        }
    }

    @Test("ps shows the command as the engine lists it: spaced arguments single-quoted, cut at 20 runes, Go-quoted")
    func psCommand() async throws {
        try await Sandbox.with { sb in
            let short = sb.name("short"), long = sb.name("long")
            _ = try await sb.docker(["create", "--name", short] + sb.tag + [sb.image, "sh", "-c", "exit 3"])
            _ = try await sb.docker(["create", "--name", long] + sb.tag + [sb.image, "sh", "-c", #"trap "echo got; exit 7" TERM"#])
            for (name, truncated, full) in [(short, #""sh -c 'exit 3'""#, #""sh -c 'exit 3'""#),
                                            (long, #""sh -c 'trap \"echo g…""#, #""sh -c 'trap \"echo got; exit 7\" TERM'""#)] {
                let ps = try await sb.docker(["ps", "-a", "--filter", "name=\(name)", "--format", "{{.Command}}"])
                #expect(ps.out == truncated + "\n")
                let noTrunc = try await sb.docker(["ps", "-a", "--no-trunc", "--filter", "name=\(name)", "--format", "{{.Command}}"])
                #expect(noTrunc.out == full + "\n")
            }
        }
    }

    @Test("ps without -a lists running containers only; filters by name")
    func psRunningOnly() async throws {
        try await Sandbox.with { sb in
            let running = sb.name("running")
            _ = try await exited(sb, name: sb.name("done"))
            _ = try await sleeper(sb, name: running)
            let ps = try await sb.docker(["ps", "--filter", "label=\(sb.label)", "--format", "{{.Names}}"])
            #expect(ps.out == running + "\n")
            let byName = try await sb.docker(["ps", "-a", "--filter", "name=\(running)", "--format", "{{.Names}}"])
            #expect(byName.out == running + "\n")
        }
    }

    @Test("logs replays stdout to stdout and stderr to stderr")
    func logsReplay() async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb, command: ["sh", "-c", "echo out; echo err >&2"])
            let logs = try await sb.docker(["logs", id])
            #expect(logs.code == 0)
            #expect(logs.out == "out\n")
            #expect(logs.err == "err\n")
        }
    }

    @Test("create prints the 64-hex ID; start -a streams output and exits with the container's code")
    func createStart() async throws {
        try await Sandbox.with { sb in
            let create = try await sb.docker(["create"] + sb.tag + [sb.image, "sh", "-c", "echo hi; echo oops >&2; exit 4"])
            #expect(create.code == 0)
            #expect(matches(create.out, hex64 + "\n"))
            let id = create.out.trimmingCharacters(in: .newlines)
            let start = try await sb.docker(["start", "-a", id])
            #expect(start.code == 4)
            #expect(start.out == "hi\n")
            #expect(start.err == "oops\n")
        }
    }

    @Test("images --format lists the test image with a 12-hex ID")
    func imagesFormat() async throws {
        try await Sandbox.with { sb in
            let images = try await sb.docker(["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"])
            #expect(images.code == 0)
            let row = images.out.split(separator: "\n").first { $0.hasPrefix(Engine.image + " ") }
            #expect(row.map { matches(String($0), "\(Engine.image) \(hex12)") } == true, "\(images.out)")
        }
    }
}
