import Foundation
import Glibc
import Testing

/// `dockrun reap`: what dockruns that are gone left behind is torn down as they would have torn it down; nothing else
/// is touched. Every reap here takes `--filter label=<the sandbox's label>`: other tests share the real engine, some
/// leave a container of a dead dockrun on purpose and look at it afterwards, and reap must not reach theirs; and each
/// assertion is about this test's containers only.
@Suite("dockrun 14: reap")
struct DockrunReap {
    @Test("14: a container left running by a dockrun --rm SIGKILLed with its guardian is stopped (its trap runs) and removed")
    func leftWithRemove() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            // The container is removed with its log: its trap leaves its word in a directory of the sandbox.
            let shared = sb.path("shared")
            try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
            let trap = #"trap "echo TERM > /shared/trap; exit 7" TERM; echo ready; while :; do sleep 0.1; done"#
            // dockrun's TMPDIR is reap's: the run's private directory, left by the killed guardian, is reap's to delete.
            let tmp = try sb.temporaryDirectory()
            let run = try sb.startDockrun(["--rm", "--name", name, "-v", "\(shared):/shared"] + sb.tag
                                              + [sb.image, "sh", "-c", trap],
                                          environment: ["TMPDIR": tmp], newProcessGroup: true)
            try await run.waitForStdout("ready\n")
            try await killWithGuardian(run)
            let id = try #require(try await sb.inspect(name, "{{.State.Status}} {{.Id}}"))
            #expect(id.hasPrefix("running "))
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).count == 1)
            let reaped = try await reap(sb, environment: ["TMPDIR": tmp])
            #expect(reaped.code == 0, "\(reaped)")
            // ", gone" (no process has the PID) or ", gone (its PID is a later process's)", should it be reused.
            #expect(reaped.out.hasPrefix("removed \(name) (\(id.dropFirst(8).prefix(12))) of dockrun \(run.pid), gone"),
                    "\(reaped)")
            #expect(reaped.out.split(separator: "\n").count == 1, "\(reaped)")
            #expect(try await sb.containers().isEmpty)
            #expect(try String(contentsOfFile: shared + "/trap", encoding: .utf8) == "TERM\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp) == [])
            _ = try await run.finish()
        }
    }

    @Test("14: without --rm, the leftover is stopped as its dockrun stops it (the trap runs) and kept; reap again: left alone")
    func leftWithoutRemove() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let tmp = try sb.temporaryDirectory()
            let run = try sb.startDockrun(["--name", name] + sb.tag
                                              + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 9])],
                                          environment: ["TMPDIR": tmp], newProcessGroup: true)
            try await run.waitForStdout("ready\n")
            try await killWithGuardian(run)
            let id = try #require(try await sb.inspect(name, "{{.Id}}"))
            let reaped = try await reap(sb, environment: ["TMPDIR": tmp])
            #expect(reaped.code == 0, "\(reaped)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp) == [])
            #expect(reaped.out.hasPrefix("stopped \(name) (\(id.prefix(12))) of dockrun \(run.pid), gone"), "\(reaped)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.ExitCode}}") == "exited 9")
            #expect(try await sb.docker(["logs", name]).out.contains("TERM\n"))
            let again = try await reap(sb)
            #expect(again.code == 0 && again.out.isEmpty, "\(again)")
            #expect(try await sb.containers().count == 1)
            _ = try await run.finish()
        }
    }

    @Test("14: the container of a dockrun that lives is untouched, and its dockrun still stops it")
    func liveUntouched() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try sb.startDockrun(["--rm", "--name", name] + sb.tag
                                              + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 7])])
            try await run.waitForStdout("ready\n")
            for arguments in [["--dry-run"], []] {
                let reaped = try await reap(sb, arguments)
                #expect(reaped.code == 0 && reaped.out.isEmpty && reaped.err.isEmpty, "\(arguments): \(reaped)")
            }
            #expect(try await sb.inspect(name, "{{.State.Status}}") == "running")
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.code == 7, "\(outcome)")
            #expect(outcome.out == "ready\nTERM\n")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("14: a container of another host's dockrun, or without dockrun's labels, is untouched")
    func othersUntouched() async throws {
        try await Sandbox.with { sb in
            // Labels that would be reaped here (no process has a PID of 0x7fffffff) but for the host.
            var elsewhere = dockrunLabels(pid: Int32.max, remove: true)
            elsewhere["io.dockrun.host"] = "elsewhere-\(sb.id)"
            let names = [
                try await leftover(sb, "elsewhere", elsewhere),
                try await leftover(sb, "plain", [:]),
                try await leftover(sb, "runonly", ["io.dockrun.run": "0123456789abcdef"]),
            ]
            let reaped = try await reap(sb)
            #expect(reaped.code == 0 && reaped.out.isEmpty, "\(reaped)")
            for name in names { #expect(try await sb.inspect(name, "{{.State.Status}}") == "running", "\(name)") }
        }
    }

    @Test("14: a PID now given to a later process is no dockrun of the container's: exact labels or the start time tell")
    func recycledPID() async throws {
        try await Sandbox.with { sb in
            let later = try ChildProcess(["sleep", "600"], ChildProcess.Options(environment: sb.environment))
            defer { later.signal(SIGKILL) }
            let ticks = try #require(startTicks(later.pid))
            let exact = try await leftover(sb, "exact", dockrunLabels(pid: later.pid, pidStart: ticks + 1, remove: true))
            // An older dockrun's labels: only the start time, here long before the process with the PID started.
            var old = dockrunLabels(pid: later.pid, remove: true)
            old["io.dockrun.started"] = "2000-01-01T00:00:00Z"
            let older = try await leftover(sb, "older", old)
            // The process that has the PID is the one the labels name: its "dockrun" lives.
            let alive = try await leftover(sb, "alive", dockrunLabels(pid: later.pid, pidStart: ticks, remove: true))
            let reaped = try await reap(sb)
            #expect(reaped.code == 0, "\(reaped)")
            let lines = reaped.out.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "\(reaped)")
            for name in [exact, older] {
                #expect(lines.contains { $0.hasPrefix("removed \(name) (") }, "\(name): \(reaped)")
            }
            #expect(lines.allSatisfy { $0.hasSuffix(" of dockrun \(later.pid), gone (its PID is a later process's)") },
                    "\(reaped)")
            #expect(!reaped.out.contains(alive), "\(reaped)")
            #expect(try await sb.containers().count == 1)
            #expect(try await sb.inspect(alive, "{{.State.Status}}") == "running")
        }
    }

    @Test("14: a gone dockrun's container is left to its guardian while that lives (its teardown, a commit it awaits)")
    func guardianAtWork() async throws {
        try await Sandbox.with { sb in
            let guardian = try ChildProcess(["sleep", "600"], ChildProcess.Options(environment: sb.environment))
            defer { guardian.signal(SIGKILL) }
            let ticks = try #require(startTicks(guardian.pid))
            let atWork = try await leftover(sb, "atwork", dockrunLabels(pid: Int32.max, pidStart: 1, remove: true,
                                                                        guardian: (guardian.pid, ticks)))
            let recycled = try await leftover(sb, "recycled", dockrunLabels(pid: Int32.max, pidStart: 1, remove: true,
                                                                            guardian: (guardian.pid, ticks + 1)))
            let reaped = try await reap(sb)
            #expect(reaped.code == 0, "\(reaped)")
            #expect(reaped.out.hasPrefix("removed \(recycled) ("), "\(reaped)")
            #expect(!reaped.out.contains(atWork), "\(reaped)")
            #expect(try await sb.inspect(atWork, "{{.State.Status}}") == "running")
            #expect(try await sb.containers().count == 1)
        }
    }

    @Test("14: a container that cannot be removed is said on stderr, the others are still reaped, and reap exits 125",
          .enabled(if: Engine.current.isFake, "needs a scripted failing rm"))
    func teardownFails() async throws {
        try await Sandbox.with { sb in
            let names = [try await leftover(sb, "a", dockrunLabels(pid: Int32.max, remove: true)),
                         try await leftover(sb, "b", dockrunLabels(pid: Int32.max, remove: true))]
            try await sb.script(["rm", "--exit", "1", "--stderr", "Error response from daemon: rm failed on purpose"])
            let reaped = try await reap(sb)
            #expect(reaped.code == 125, "\(reaped)")
            let failed = names.filter { reaped.err.contains("dockrun: reap: could not stop or remove container \($0) (") }
            #expect(failed.count == 1, "\(reaped)")
            #expect(reaped.err.hasSuffix("): Error response from daemon: rm failed on purpose\n"), "\(reaped)")
            let removed = names.filter { reaped.out.contains("removed \($0) (") }
            #expect(removed.count == 1 && removed != failed, "\(reaped)")
            #expect(try await sb.containers().count == 1)
        }
    }

    @Test("14: at boot the engine may not answer yet: reap waits for it (--engine-wait), then reaps",
          .enabled(if: Engine.current.isFake, "needs an engine that does not answer (fake-docker's --daemon-down)"))
    func engineNotYetAnswering() async throws {
        try await Sandbox.with { sb in
            let name = try await leftover(sb, "late", dockrunLabels(pid: Int32.max, remove: true))
            try await sb.script(["--daemon-down"])
            let run = try sb.startDockrun(["reap", "--engine-wait", "600", "--filter", "label=\(sb.label)"])
            try await ChildProcess.eventually("reap waiting for the engine") {
                run.stderr.text.contains("dockrun: the docker engine is not answering; waiting for it\n") || !run.isRunning
            }
            try await sb.script(["--clear"])
            let reaped = try await run.finish()
            #expect(reaped.code == 0, "\(reaped)")
            #expect(reaped.err == "dockrun: the docker engine is not answering; waiting for it\n"
                        + "dockrun: the docker engine answers again\n", "\(reaped)")
            #expect(reaped.out.hasPrefix("removed \(name) ("), "\(reaped)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("14: --dry-run lists what reap would remove and stop, and changes nothing")
    func dryRun() async throws {
        try await Sandbox.with { sb in
            let removed = try await leftover(sb, "rm", dockrunLabels(pid: Int32.max, remove: true))
            let stopped = try await leftover(sb, "norm", dockrunLabels(pid: Int32.max, remove: false))
            let listed = try await reap(sb, ["--dry-run"])
            #expect(listed.code == 0, "\(listed)")
            let lines = listed.out.split(separator: "\n").map(String.init).sorted()
            #expect(lines.count == 2, "\(listed)")
            #expect(lines.contains { $0.hasPrefix("would remove \(removed) (") && $0.hasSuffix(" of dockrun \(Int32.max), gone") })
            #expect(lines.contains { $0.hasPrefix("would stop \(stopped) (") && $0.hasSuffix(" of dockrun \(Int32.max), gone") })
            for name in [removed, stopped] { #expect(try await sb.inspect(name, "{{.State.Status}}") == "running") }
        }
    }

    @Test("14: every container carries its dockrun's and its guardian's exact identity, and whether the run had --rm",
          arguments: [true, false])
    func identityLabels(remove: Bool) async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try sb.startDockrun((remove ? ["--rm"] : []) + ["--name", name] + sb.tag
                                              + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 0])])
            try await run.waitForStdout("ready\n")
            let labels = try await sb.inspect(name, #"{{index .Config.Labels "io.dockrun.pid"}} "#
                + #"{{index .Config.Labels "io.dockrun.pid-start"}} {{index .Config.Labels "io.dockrun.boot"}} "#
                + #"{{index .Config.Labels "io.dockrun.remove"}} {{index .Config.Labels "io.dockrun.guardian-pid"}} "#
                + #"{{index .Config.Labels "io.dockrun.guardian-start"}}"#)
            let ticks = try #require(startTicks(run.pid))
            let guardian = try #require(guardianPIDs(run).first)
            let guardianTicks = try #require(startTicks(guardian))
            #expect(labels == "\(run.pid) \(ticks) \(bootID()) \(remove) \(guardian) \(guardianTicks)")
            run.signal(SIGTERM)
            #expect(try await run.finish().code == 0)
        }
    }

    @Test("14: an argument reap does not take is one line on stderr and 125, nothing done")
    func badArgument() async throws {
        try await Sandbox.with { sb in
            let outcome = try await sb.dockrun(["reap", "web"])
            #expect(outcome.code == 125)
            #expect(outcome.out.isEmpty)
            #expect(outcome.err == "dockrun: reap: unexpected argument \"web\": expected --dry-run, --filter FILTER or --engine-wait SECONDS\n")
        }
    }
}

/// Runs `dockrun reap` on this sandbox's containers only.
private func reap(_ sb: Sandbox, _ arguments: [String] = [], environment: [String: String] = [:]) async throws -> Outcome {
    try await sb.dockrun(["reap"] + arguments + ["--filter", "label=\(sb.label)"], environment: environment)
}

/// SIGKILL to dockrun's guardian and to dockrun's process group, as when a monitor kills the whole service (or the
/// machine goes down): nothing of dockrun's is left to stop the container. Returns once dockrun is dead.
private func killWithGuardian(_ run: ChildProcess) async throws {
    let guardians = guardianPIDs(run)
    #expect(guardians.count == 1, "guardians of dockrun: \(guardians)")
    for pid in guardians { kill(pid, SIGKILL) }
    run.signalGroup(SIGKILL)
    _ = try await run.waitForExit()
}

/// The PIDs of dockrun's guardians (its children running `dockrun __guardian`): one while it runs.
private func guardianPIDs(_ run: ChildProcess) -> [pid_t] {
    let children = ((try? String(contentsOfFile: "/proc/\(run.pid)/task/\(run.pid)/children", encoding: .utf8)) ?? "")
        .split(separator: " ").compactMap { pid_t($0) }
    return children.filter { pid in
        ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").contains("__guardian")
    }
}

/// The kernel's boot ID.
private func bootID() -> String {
    ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "")
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A container as dockrun `pid` of this host and boot would have labelled it, started now; with `pidStart`, the exact
/// identity labels too, and with `guardian` its guardian's.
private func dockrunLabels(pid: Int32, pidStart: UInt64? = nil, remove: Bool,
                           guardian: (pid: pid_t, startTicks: UInt64)? = nil) -> [String: String] {
    var host = [CChar](repeating: 0, count: 256)
    gethostname(&host, host.count)
    var labels = [
        "io.dockrun.run": String(format: "%016llx", UInt64.random(in: 0...UInt64.max)),
        "io.dockrun.pid": String(pid),
        "io.dockrun.host": String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
        "io.dockrun.started": ISO8601DateFormatter().string(from: Date()),
        "io.dockrun.remove": String(remove),
    ]
    if let pidStart {
        labels["io.dockrun.pid-start"] = String(pidStart)
        labels["io.dockrun.boot"] = bootID()
    }
    if let guardian {
        labels["io.dockrun.guardian-pid"] = String(guardian.pid)
        labels["io.dockrun.guardian-start"] = String(guardian.startTicks)
    }
    return labels
}

/// A detached container of this sandbox carrying `labels`, running a shell whose traps are set: its name.
private func leftover(_ sb: Sandbox, _ suffix: String, _ labels: [String: String]) async throws -> String {
    let name = sb.name(suffix)
    let options = labels.sorted { $0.key < $1.key }.flatMap { ["--label", "\($0.key)=\($0.value)"] }
    let started = try await sb.docker(["run", "-d", "--name", name] + sb.tag + options
                                          + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 0])])
    #expect(started.code == 0, "\(started)")
    try await ContainerScript.awaitReady(sb, name)
    return name
}

/// Field 22 of /proc/PID/stat: the process's start, in clock ticks after boot.
private func startTicks(_ pid: pid_t) -> UInt64? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 19 ? UInt64(fields[19]) : nil
}
