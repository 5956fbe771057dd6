import Foundation

/// `fake-docker script --restart [--down SECONDS] [--live-restore]`: the engine stops and comes back after
/// SECONDS, as observed on Engine 20.10 (docs/engine-observations.md, "engine restart"). Returns once the
/// engine answers again, as scripts/engine-restart.sh does.
///
/// - From the start until the engine is back, every new command fails as against a stopped daemon;
///   `script --clear` ends that window early.
/// - Without live-restore the engine first stops each running container as `docker stop` would (its stop
///   signal, then KILL after its stop timeout, all at once); requests already open (an attached client,
///   `wait`, `logs -f`, `stop`) are answered as usual, with the container's exit code.
/// - Without live-restore, when the engine is back, it starts again each container that has run before and whose
///   policy says so (`startsAgain`): `always` ones, even stopped by hand, `unless-stopped` ones not stopped by hand,
///   `on-failure` ones that exited non-zero under their retry limit (`.RestartCount`, which is kept, counted);
///   (observed: docs/engine-observations.md, "An engine restart without live-restore and the restart policies").
/// - With live-restore the containers run on and keep being logged (the shim owns them), but every open
///   request is cut (EngineConnection); when the engine is back it kills and removes the running `--rm`
///   containers, as 20.10's restore does.
enum EngineRestart {
    /// The longest the fake stays down beyond the asked-for window, for the shutdown or the restore: the
    /// window is bounded, so that a killed restart does not leave the engine down for ever.
    static let shutdownAllowance: Double = 30

    static func execute(down: String?, liveRestore: Bool, store: StateStore) throws(DockerError) -> Int32 {
        guard let seconds = Double(down ?? "0"), seconds >= 0, seconds.isFinite else {
            throw DockerError("fake-docker: script --restart: --down takes seconds (>= 0)", exitCode: 2)
        }
        var daemon = Daemon(store: store)
        daemon.shuttingDown = true
        let running = try runningContainers(store)
        let longestStop = running.map { Double(max(0, $0.config.stopTimeout ?? 10)) }.max() ?? 0
        let window = now() + longestStop + seconds + shutdownAllowance
        // An engine already down for longer (`script --daemon-down`) stays down for as long.
        try recording("the engine as down") {
            try store.transaction { try store.setEngineDown(until: max(window, try store.engineDownUntil() ?? 0)) }
        }
        if liveRestore {
            cutConnections(store)
        } else {
            // All stop signals first, then each wait up to its own deadline: the stops run side by side.
            let stops = running.map { daemon.beginStop($0, timeout: nil, signal: nil) }
            for stop in stops { _ = daemon.finishStop(stop, connection: nil) }
        }
        try waitOutDownWindow(seconds, store: store)
        // A new dockerd's port allocator starts empty: the next ephemeral port is the range's first free one again.
        PublishedPorts.forgetEphemeralPorts(store)
        if liveRestore {
            for c in try runningContainers(store) where c.config.autoRemove {
                daemon.deliver(SIGKILL, to: c)
                daemon.waitForShim(c)
            }
        }
        // Back up, unless something took the engine down again meanwhile (`script --daemon-down`).
        try recording("the engine as up again") {
            try store.transaction { if try store.engineDownUntil() == window { try store.setEngineDown(until: nil) } }
        }
        if !liveRestore { try startAgain(store) }
        return 0
    }

    /// Whether the engine, coming back without live-restore, starts a container that is not running (moby's restore:
    /// AutoRestart, ShouldRestart with a restart manager made from the stored RestartCount, HasBeenStartedBefore).
    static func startsAgain(_ policy: RestartPolicy, exitCode: Int32, restartCount: Int, stoppedByHand: Bool,
                            startedBefore: Bool) -> Bool {
        guard startedBefore else { return false }
        switch policy.name {
        case "always": return true
        case "unless-stopped": return !stoppedByHand
        case "on-failure":
            return exitCode != 0 && (policy.maximumRetryCount == 0 || restartCount < policy.maximumRetryCount)
        default: return false
        }
    }

    /// Starts, detached, each container `startsAgain` names; a start that fails is left as it failed, as the engine
    /// logs it and goes on.
    private static func startAgain(_ store: StateStore) throws(DockerError) {
        let all: [Container]
        do { all = try store.containerSummaries().compactMap { try store.container(id: $0.id) } } catch {
            throw DockerError("fake-docker: \(error)")
        }
        for c in all where c.status == .exited {
            let count = (try? store.restartCount(ofContainer: c.id)) ?? 0
            guard startsAgain(RestartPolicy.stored(c.config.restartPolicy), exitCode: c.exitCode, restartCount: count,
                              stoppedByHand: Daemon.isStoppedByHand(c.id, store: store), startedBefore: c.startedAt != nil)
            else { continue }
            do throws(DockerError) {
                _ = try Launcher.start(c, store: store, attachment: nil, command: "start")
            } catch {
                Output.err(error.message)
            }
        }
    }

    /// Runs `write`, a change of the engine-down flag; a failure is the command's error.
    private static func recording(_ what: String, _ write: () throws -> Void) throws(DockerError) {
        do { try write() } catch { throw DockerError("fake-docker: cannot record \(what): \(error)") }
    }

    /// Sleeps `seconds`, in short naps so that `script --clear` (which brings the engine back) can end the
    /// window early: a test checks the commands during a long window without depending on how fast the machine is.
    private static func waitOutDownWindow(_ seconds: Double, store: StateStore) throws(DockerError) {
        let end = monotonicNow() + seconds
        while monotonicNow() < end {
            do {
                if try store.engineDownUntil() == nil { return }
            } catch {
                throw DockerError("fake-docker: \(error)")
            }
            sleepSeconds(min(0.1, end - monotonicNow()))
        }
    }

    /// Every open EngineConnection sees the restart file grow and gives up.
    private static func cutConnections(_ store: StateStore) {
        let fd = open(EngineConnection.restartsPath(store), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        Output.write(fd, "restart\n")
        close(fd)
        EngineConnection.ringBell(store)
    }

    /// The containers that run, as the state shows them once each recorded as running has been reconciled.
    private static func runningContainers(_ store: StateStore) throws(DockerError) -> [Container] {
        let daemon = Daemon(store: store)
        var running: [Container] = []
        do {
            for summary in try store.containerSummaries() where summary.isRunning {
                if let c = try store.container(id: summary.id) { running.append(c) }
            }
        } catch {
            throw DockerError("fake-docker: \(error)")
        }
        return try running.map { c throws(DockerError) in try daemon.reconciled(c) }.filter(\.isRunning)
    }
}
