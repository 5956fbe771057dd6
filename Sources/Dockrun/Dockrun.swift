import Glibc

public let dockrunVersion = "0.1.0"

/// The program: dockrun with these arguments, ended as `dockrun(_:)` says.
public func dockrunMain(_ arguments: [String]) -> Never {
    System.end(dockrun(arguments))
}

/// The whole program, top to bottom: take the signals over, parse, run the container under
/// supervision, return how to end: as the container ended (`Ending`), or with dockrun's own code.
public func dockrun(_ arguments: [String]) -> Ending {
    if arguments.first == Guardian.argument { return .exit(Guardian.run(arguments.dropFirst())) }
    if arguments.first == Generate.argument { return .exit(generate(Array(arguments.dropFirst()))) }
    if arguments.first == Reap.argument { return .exit(reap(Array(arguments.dropFirst()))) }
    // First: from here on a supervised signal is queued for the loop, never delivered, so one
    // arriving before the container exists is held, not lost and not fatal.
    let signals: Int32
    do {
        signals = try System.signalDescriptor(SignalTable.supervisedSignals)
    } catch {
        System.write(2, "dockrun: cannot take over signals: \(error.text)\n")
        return .exit(125)
    }
    // A closed stderr must not kill dockrun midway and leak the container.
    signal(SIGPIPE, SIG_IGN)

    let docker = dockerCLI()
    let debug = System.debugging
    do throws(DockrunError) {
        switch try Invocation.parse(arguments) {
        case .help:
            System.write(1, usage)
            return .exit(0)
        case .version:
            System.write(1, "dockrun \(dockrunVersion)\n")
            return .exit(0)
        case .run(let request):
            let bound = try engineWaitMilliseconds(request.engineWaitMilliseconds)
            let executor = teardownExecutor(docker: docker, debug: debug, engineWaitMilliseconds: bound)
            let request = try ImageHealthCheck.confirm(request, docker: DockerCall(docker: docker, debug: debug))
            if request.replace, let name = request.name { try Cleanup.replace(name, executor: executor) }
            // The run's code is its container's (or what stood for it): it ends as the container ended.
            return .of(containerCode: EventLoop(request: request, docker: docker, signals: signals, debug: debug,
                                                engineWaitMilliseconds: executor.engineWaitMilliseconds).run())
        case .cleanup(let request):
            let bound = try engineWaitMilliseconds(request.engineWaitMilliseconds)
            let executor = teardownExecutor(docker: docker, debug: debug, engineWaitMilliseconds: bound)
            return .exit(Cleanup.run(request, executor: executor))
        }
    } catch {
        System.write(2, "dockrun: \(error.message)\n")
        return .exit(error.exitCode)
    }
}

/// `dockrun generate MONITOR [RUN ARGS...]`: the example for the run on stdout, for the dockrun running now; or the
/// error on stderr.
private func generate(_ arguments: [String]) -> Int32 {
    do throws(Generate.Failure) {
        let (monitor, run) = try Generate.parse(arguments)
        System.write(1, Generate.output(monitor, run, dockrun: System.ownExecutable()))
        return 0
    } catch {
        System.write(2, "dockrun: \(error.message)\n")
        return error.exitCode
    }
}

/// `dockrun reap [--dry-run] [--filter FILTER]... [--engine-wait SECONDS]`: lists dockrun's containers, reads what
/// /proc says of each one's dockrun (and guardian), and tears down those `Reap` decides, saying each on stdout (reap
/// runs no container, so stdout is its own); a failed teardown is said on stderr, and the others are still done. A
/// stop signal ends reap as it ends any process (its signals are not taken over): the next reap finishes a teardown
/// it cut short.
private func reap(_ arguments: [String]) -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    do throws(Reap.Failure) {
        let options = try Reap.parse(arguments)
        let bound: Int64
        do { bound = try engineWaitMilliseconds(options.engineWaitMilliseconds) } catch { throw .dockrun(error) }
        let executor = TeardownExecutor(docker: dockerCLI(), debug: System.debugging, engineWaitMilliseconds: bound,
                                        say: { System.write(2, "dockrun: \($0)\n") })
        let containers = try Reap.listed(executor.answer(Reap.list(filters: options.filters))).get()
        let host = Reap.Host(name: System.hostName(), boot: System.bootID(),
                             bootTimeNanoseconds: System.bootTimeNanoseconds(),
                             ticksPerSecond: System.clockTicksPerSecond)
        var failure: Reap.Failure?
        for container in containers {
            let decision = Reap.decide(container, host: host, process: reapProcess(container.pid),
                                       guardian: reapProcess(container.guardianPID))
            let outcome = options.dryRun ? nil : decision.teardown(of: container).map(executor.run)
            if case .failed(let text) = outcome {
                failure = .teardownFailed(container: container.shown, message: text)
                System.write(2, "dockrun: \(failure!.message)\n")
            } else if !options.dryRun, decision.clearsPrivateDirectory, let run = container.run {
                System.removePrivateDirectory(System.privateDirectoryPath(run: run))
            }
            Reap.line(container, decision, outcome: outcome).map { System.write(1, $0) }
        }
        return failure?.exitCode ?? 0
    } catch {
        System.write(2, "dockrun: \(error.message)\n")
        return error.exitCode
    }
}

/// What /proc says of the process with a container's `io.dockrun.pid` or `io.dockrun.guardian-pid` (none: no such
/// process). One that has ended, not yet reaped by its parent, is absent.
private func reapProcess(_ pid: Int32?) -> Reap.Process {
    guard let pid else { return .absent }
    switch System.processStat(pid) {
    case .living(let ticks): return .started(ticks: ticks)
    case .ended: return .absent
    case nil: return System.processExists(pid) ? .unknown : .absent
    }
}

/// The docker CLI to run: DOCKRUN_DOCKER, else `docker`.
private func dockerCLI() -> String {
    System.environment("DOCKRUN_DOCKER").flatMap { $0.isEmpty ? nil : $0 } ?? "docker"
}

/// How long an engine that does not answer is waited for: `--engine-wait` (`bound`), else `DOCKRUN_ENGINE_WAIT`, else
/// 60 s.
private func engineWaitMilliseconds(_ bound: Int64?) throws(DockrunError) -> Int64 {
    if let bound { return bound }
    guard let text = System.environment("DOCKRUN_ENGINE_WAIT"), !text.isEmpty else {
        return EngineWait.defaultBoundMilliseconds
    }
    guard let bound = EngineWait.bound(seconds: text) else {
        throw .invalidSeconds(option: "DOCKRUN_ENGINE_WAIT", value: text)
    }
    return bound
}

/// The blocking commands of `--cleanup` and `--replace`: a wait for the engine ends early on SIGTERM or SIGINT (taken
/// from dockrun's blocked signals), so a monitor that stops the service is not kept waiting.
private func teardownExecutor(docker: String, debug: Bool, engineWaitMilliseconds: Int64) -> TeardownExecutor {
    TeardownExecutor(
        docker: docker, debug: debug, engineWaitMilliseconds: engineWaitMilliseconds,
        pause: { System.sleep(milliseconds: $0, unlessSignalled: Array(SignalTable.stopSignals)) == nil },
        say: { System.write(2, "dockrun: \($0)\n") })
}

let usage = """
Usage:  dockrun [OPTIONS] IMAGE [COMMAND] [ARG...]
        dockrun generate runit|s6|supervisord|god [OPTIONS] IMAGE [COMMAND] [ARG...]
        dockrun reap [--dry-run] [--filter FILTER]... [--engine-wait SECONDS]

Run a container as if it were a process: its output, signals and exit code are dockrun's.

Options (every `docker run` option is accepted and passed to docker, except -d, -a and a
--restart policy other than "no"):
      --rm                  Remove the container when it ends (also after a failed start or a signal)
      --commit REPO[:TAG]   Commit the container to an image when it exits 0 without being stopped
      --cidfile PATH        Also write the container ID to PATH (kept unless the container is removed)
      --replace             With --name N: stop and remove a container already called N before the start
      --sdnotify MODE       Under systemd (NOTIFY_SOCKET): send READY=1 once the container is "running"
                            (default), once its health check says "healthy", never ("ignore"), or
                            when the application in it says so ("container": its own NOTIFY_SOCKET,
                            /run/dockrun-notify/notify.sock, whose READY=1, STATUS=, ... dockrun relays)
      --health-on-failure ACTION  When the health check says unhealthy: nothing ("none", default), or
                            "kill" or "stop" the container and exit 124, so the monitor restarts the service
      --engine-wait SECONDS How long an engine that stopped answering is waited for (default 60), by the
                            run, its guardian, --replace, --cleanup and reap
      --cleanup             Run nothing: stop the container named by --name or --cidfile (and remove it
                            with --rm), as systemd's ExecStopPost= after a whole control group was killed
      --dry-run             reap: say what would be stopped or removed, and do nothing
      --filter FILTER       reap: only the containers docker ps --filter FILTER lists (repeatable)
      --help                Print this help
      --version             Print dockrun's version

Signals: TERM or INT stop the container (docker stop), a second one kills it; every other signal
docker run passes on (HUP, QUIT, USR1, USR2, ALRM, WINCH, CONT, TSTP, the real-time signals, ...) is
sent to the container with docker kill; CHLD, PIPE and URG are dropped, as docker drops them.
dockrun ends as the container ended: with its exit code, or, when the container died of signal N
(exit code 128+N), by that signal. If dockrun itself is killed with SIGKILL, its guardian stops
the container (and removes it with --rm). A container killed for out of memory is said on stderr.
--sdnotify=healthy and --health-on-failure need a health check: without one, nothing starts (125).

generate prints the tested example for that monitor, running dockrun with these arguments (which
need --name): supervisord's and god's config file; for runit and s6 a shell script that writes the
service directory (run, finish, log/run): dockrun generate runit --name web IMAGE | sh -s /etc/sv/web.

reap tears down the containers dockrun started on this host whose dockrun is gone (after a crash,
or a monitor that killed it with its guardian) as their dockrun would have: stopped, and removed
if the run had --rm; one line each on stdout. A container of a dockrun that lives, of another
host, or not dockrun's is never touched; without --rm one that has ended is left alone.

Every container carries the labels io.dockrun.run, io.dockrun.pid, io.dockrun.host,
io.dockrun.started, io.dockrun.pid-start and io.dockrun.boot (dockrun's exact identity, which reap
checks), io.dockrun.remove (the run's --rm), io.dockrun.guardian-pid and io.dockrun.guardian-start
(its guardian's): docker ps -a --filter label=io.dockrun.run lists them.

Environment:
  DOCKRUN_DOCKER   the docker CLI to run (a name on PATH or a path; default: docker)
  DOCKRUN_ENGINE_WAIT  as --engine-wait
  DOCKRUN_DEBUG=1  print each docker command to stderr before running it

"""
