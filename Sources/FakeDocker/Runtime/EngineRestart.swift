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
/// - With live-restore the containers run on and keep being logged (the shim owns them), but every open
///   request is cut (EngineConnection); when the engine is back it kills and removes the running `--rm`
///   containers, as 20.10's restore does.
enum EngineRestart {
    /// Until when (Unix time) the engine is down; bounded, so that a killed restart does not leave the
    /// engine down for ever.
    static let downUntilSetting = "engine_down_until"
    /// The longest the fake stays down beyond the asked-for window, for the shutdown or the restore.
    static let shutdownAllowance: Double = 30

    static func isDown(_ store: StateStore) -> Bool {
        guard let until = (try? store.setting(downUntilSetting)).flatMap({ $0 }).flatMap(Double.init) else { return false }
        return now() < until
    }

    static func execute(down: String?, liveRestore: Bool, store: StateStore) throws(DockerError) -> Int32 {
        guard let seconds = Double(down ?? "0"), seconds >= 0, seconds.isFinite else {
            throw DockerError("fake-docker: script --restart: --down takes seconds (>= 0)", exitCode: 2)
        }
        let daemon = Daemon(store: store)
        let running = runningContainers(store)
        let longestStop = running.map { Double(max(0, $0.config.stopTimeout ?? 10)) }.max() ?? 0
        do {
            try store.setSetting(downUntilSetting, String(now() + longestStop + seconds + shutdownAllowance))
        } catch {
            throw DockerError("fake-docker: \(error)")
        }
        if liveRestore {
            cutConnections(store)
        } else {
            // All stop signals first, then each wait up to its own deadline: the stops run side by side.
            let stops = running.map { daemon.beginStop($0, timeout: nil, signal: nil) }
            for stop in stops { _ = daemon.finishStop(stop, connection: nil) }
        }
        waitOutDownWindow(seconds, store: store)
        if liveRestore {
            for c in runningContainers(store) where c.config.autoRemove {
                daemon.deliver(SIGKILL, to: c)
                daemon.waitForShim(c)
            }
        }
        try? store.setSetting(downUntilSetting, nil)
        return 0
    }

    /// Sleeps `seconds`, in short naps so that `script --clear` (which clears the setting) can end the window
    /// early: a test checks the commands during a long window without depending on how fast the machine is.
    private static func waitOutDownWindow(_ seconds: Double, store: StateStore) {
        let end = monotonicNow() + seconds
        while monotonicNow() < end, (try? store.setting(downUntilSetting)).flatMap({ $0 }) != nil {
            sleepSeconds(min(0.1, end - monotonicNow()))
        }
    }

    /// Every open EngineConnection sees the restart file grow and gives up.
    private static func cutConnections(_ store: StateStore) {
        let fd = open(EngineConnection.restartsPath(store), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        Output.write(fd, "restart\n")
        close(fd)
    }

    private static func runningContainers(_ store: StateStore) -> [Container] {
        let daemon = Daemon(store: store)
        let summaries = (try? store.containerSummaries()) ?? []
        return summaries.filter(\.isRunning).compactMap { summary in
            (try? store.container(id: summary.id)).flatMap { $0 }.map { (try? daemon.reconcile($0)) ?? $0 }
        }.filter(\.isRunning)
    }
}
