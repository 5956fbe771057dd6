import CProcess
import Foundation
import ProcessSpawn

/// The container's restart policy, carried out by its shim: after each exit the shim asks its RestartManager, and on
/// a restart records the container `restarting` (`.RestartCount` one more, the exit code kept, no PID), waits the
/// delay and starts the command again, its output appended to the same log. A `docker stop` or `docker kill` ends the
/// restarting (the engine's ExitOnNext): the daemon sends the shim SIGUSR1 before it signals the container
/// (`Daemon.endRestarts`), so the shim knows it before it sees the exit, or is woken from the delay.
///
/// An attached client (`docker run` without `-d`) gets the first exit's code and no more output, as the engine's
/// client does: its shim hands the container over to a copy of itself (fork) and exits with that code.
extension Shim {
    /// The signal that tells a shim to start its container no more.
    static let endRestartsSignal = SIGUSR1

    /// What ended the container's last run: its exit code and whether the out-of-memory fault killed it.
    struct LastRun {
        var code: Int32
        var oomKilled: Bool
    }

    /// Runs the container again for as long as its restart policy says, after a run that `loop` ended.
    static func restartAsPolicySays(_ container: Container, after loop: ShimLoop, code: Int32, signalFD: Int32,
                                    clientPID: Int32, store: StateStore) -> LastRun {
        var manager = RestartManager(policy: .stored(container.config.restartPolicy))
        var last = LastRun(code: code, oomKilled: loop.killedOutOfMemory)
        var stopped = loop.restartsEnded
        var startedAt = container.startedAt ?? now()
        var attached = clientPID > 0
        while let delay = manager.next(exitCode: last.code, ranFor: now() - startedAt, stopped: stopped) {
            let handOverFD = attached ? handOver(exitCode: last.code, signalFD: signalFD) : -1
            attached = false
            let recorded = recordRestarting(container.id, last, count: manager.restartCount, store: store)
            // The state names this process as the shim now: the client's shim may exit (`handOver`).
            if handOverFD >= 0 { close(handOverFD) }
            guard recorded else { break }
            if waitForRestart(delay, signalFD: signalFD) { break }
            guard var next = try? store.container(id: container.id), next.status == .restarting else { break }
            // The ports again, each run's own, as the engine's network driver takes them at every start.
            var published: PublishedPorts
            switch PublishedPorts.bind(PublishedPorts.config(next, store: store), endpoint: next.name, store: store) {
            case .failure(let failure):
                next.error = String(failure.message.dropFirst("Error response from daemon: ".count))
                do { try store.updateState(next) } catch {
                    Output.err("Error response from daemon: cannot record the failed restart of container \(next.id): \(error)")
                }
                return last
            case .success(let p): published = p
            }
            let started: Started
            switch start(next, store: store) {
            case .failure(let failure):
                published.stop()
                // The engine leaves the container exited with the last run's code and the start's whole error (observed;
                // recordExit records the rest).
                next.error = String(failure.message.dropFirst("Error response from daemon: ".count))
                do { try store.updateState(next) } catch {
                    Output.err("Error response from daemon: cannot record the failed restart of container \(next.id): \(error)")
                }
                return last
            case .success(let s): started = s
            }
            published.startProxies(into: started.pid)
            published.save(next.id, store: store)
            let lastExit = next.finishedAt
            markRunning(&next, started)
            // The engine keeps the last exit's time while the container runs again.
            next.finishedAt = lastExit
            do { try store.updateState(next) } catch {
                discard(started)
                published.stop()
                published.forget(next.id, store: store)
                return LastRun(code: 128, oomKilled: false)
            }
            startedAt = next.startedAt ?? now()
            var again = ShimLoop(container: next, started: started, store: store, signalFD: signalFD, clientPID: 0)
            last = LastRun(code: again.run(), oomKilled: again.killedOutOfMemory)
            published.stop()
            published.forget(next.id, store: store)
            stopped = again.restartsEnded
        }
        return last
    }

    /// The container `restarting` after an exit; false if the state no longer has it or cannot record it.
    private static func recordRestarting(_ id: String, _ last: LastRun, count: Int, store: StateStore) -> Bool {
        do {
            return try store.transaction {
                guard var c = try store.container(id: id), c.isRunning else { return false }
                c.status = .restarting
                c.exitCode = last.code
                c.oomKilled = last.oomKilled
                c.finishedAt = now()
                c.pid = 0
                c.pidStart = 0
                c.shimPID = getpid()
                c.shimStart = HostProcess.startTime(getpid()) ?? 0
                try store.updateState(c)
                try store.setRestartCount(count, ofContainer: id)
                return true
            }
        } catch {
            Output.err("Error response from daemon: cannot record the restart of container \(id): \(error)")
            return false
        }
    }

    /// Waits `delay` seconds; true if a stop or kill ended the restarting meanwhile. Stray children (a health
    /// check that outlived its run) are reaped as they end.
    private static func waitForRestart(_ delay: Double, signalFD: Int32) -> Bool {
        let deadline = monotonicNow() + delay
        while true {
            let left = deadline - monotonicNow()
            if left <= 0 { return false }
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 1, Int32((left * 1000).rounded(.up))) < 0 && errno != EINTR { return false }
            while case let signal = cp_signalfd_read(signalFD, nil), signal != 0 {
                if signal == endRestartsSignal { return true }
            }
            while waitpid(-1, nil, WNOHANG) > 0 {}
        }
    }

    /// Lets the attached client go with `exitCode`: a copy of this shim (fork) carries on with the container, and
    /// this process exits once the copy closes the returned descriptor, which it does once the state names it as the
    /// shim: a stop that looks the shim up after this exit finds the copy. A SIGUSR1 that reached this process
    /// meanwhile is passed on to the copy, and the copy's end waited for. -1 if no copy could be made (the client then
    /// waits for the last run).
    private static func handOver(exitCode: Int32, signalFD: Int32) -> Int32 {
        var pipe: [Int32] = [0, 0]
        guard cp_pipe_cloexec(&pipe) == 0 else { return -1 }
        let child = fork()
        if child < 0 { close(pipe[0]); close(pipe[1]); return -1 }
        if child == 0 {
            close(pipe[0])
            // The client's streams lead nowhere from now on: whoever reads them sees EOF once the parent exits.
            let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
            for fd: Int32 in [0, 1, 2] { dup2(devNull, fd) }
            close(devNull)
            return pipe[1]
        }
        close(pipe[1])
        var byte: UInt8 = 0
        while read(pipe[0], &byte, 1) < 0 && errno == EINTR {}
        var ended = false
        while case let signal = cp_signalfd_read(signalFD, nil), signal != 0 { ended = ended || signal == endRestartsSignal }
        if ended {
            kill(child, endRestartsSignal)
            while waitpid(child, nil, 0) < 0 && errno == EINTR {}
        }
        _exit(exitCode)
    }
}

extension Daemon {
    /// The engine's ExitOnNext: a stop or a kill (any signal) ends the restarting of a container with a restart
    /// policy. Said to its shim before the container is signalled, so the shim knows it before it sees the exit. A
    /// shim that handed over to its copy and exited since the container was read is looked up again: the state names
    /// the copy by then (`Shim.handOver`).
    func endRestarts(_ c: Container) {
        guard RestartPolicy.stored(c.config.restartPolicy).restarts else { return }
        var fd = HostProcess.open(pid: c.shimPID, start: c.shimStart)
        if fd == nil, let fresh = try? store.container(id: c.id) { fd = HostProcess.open(pid: fresh.shimPID, start: fresh.shimStart) }
        guard let fd else { return }
        _ = cp_pidfd_send_signal(fd, Shim.endRestartsSignal)
        close(fd)
    }

    /// After `waitForShim`: a shim that handed its container over to its copy (`Shim.handOver`) as the stop reached
    /// it may have taken the stop's SIGUSR1 with it; the copy the state names now is told and waited for too.
    func followHandOver(_ c: Container, timeout: Double) {
        guard RestartPolicy.stored(c.config.restartPolicy).restarts, let fresh = try? store.container(id: c.id),
              fresh.isRunning, fresh.shimPID != c.shimPID else { return }
        endRestarts(fresh)
        waitForShim(fresh, timeout: timeout)
    }

    /// The engine's refusal of an exec or a pause while the container waits to restart (observed).
    func refuseRestarting(_ c: Container) throws(DockerError) {
        if c.status == .restarting {
            throw DockerError.daemon("Container \(c.id) is restarting, wait until the container is running")
        }
    }

    /// `docker wait` on a running container whose policy restarts it: the engine answers at its next exit, with that
    /// run's code, even when the policy starts it again (observed); a container waiting to restart is waited for
    /// through its next run. Waits for the process of the run, then for the shim's record of its exit. The state has
    /// no event for the shim's records: between a run's end and its record, and while the container waits to restart,
    /// it is looked at every 10 ms (`pollInterval`), the shim's end watched meanwhile. A whole run between two looks
    /// (a loaded machine) shows as a new exit time; a record missed entirely (running again, another process) is waited
    /// past, to the next exit.
    func waitForNextExit(_ c: Container, connection: EngineConnection) throws(DockerError) -> Int32 {
        var current = c
        while true {
            if current.status == .running, let fd = HostProcess.open(pid: current.pid, start: current.pidStart) {
                defer { close(fd) }
                if connection.wait(for: fd, timeout: nil) == .lost { throw EngineConnection.streamLost }
            }
            guard let fresh = try waitForRecord(of: current, connection: connection) else { return try removedExit(c) }
            if !fresh.isRunning { return fresh.exitCode }
            if fresh.status == .restarting && (current.status != .restarting || fresh.finishedAt != current.finishedAt) {
                return fresh.exitCode
            }
            current = fresh
        }
    }

    /// Waits for the shim's record of the end of `c`'s run (its process gone): `logs -f` ends there, as the engine
    /// closes a container's log at each exit.
    func waitForExitRecord(_ c: Container, connection: EngineConnection) throws(DockerError) {
        while let fresh = try waitForRecord(of: c, connection: connection), fresh.isRunning, fresh.pid == c.pid {}
    }

    private static let pollInterval = 0.01

    /// The container as the state shows it after one `pollInterval` (sooner if its shim ends); nil once removed.
    private func waitForRecord(of c: Container, connection: EngineConnection) throws(DockerError) -> Container? {
        if let shim = HostProcess.open(pid: c.shimPID, start: c.shimStart) {
            defer { close(shim) }
            if connection.wait(for: shim, timeout: Self.pollInterval) == .lost { throw EngineConnection.streamLost }
        }
        do {
            guard let fresh = try store.container(id: c.id) else { return nil }
            return try reconciled(fresh)
        } catch let error as DockerError {
            throw error
        } catch {
            throw DockerError.daemon("\(error)")
        }
    }

    /// Removed meanwhile (`rm -f`): the exit code the removal kept.
    private func removedExit(_ c: Container) throws(DockerError) -> Int32 {
        guard let code = try? store.removedExitCode(c.id) else { throw DockerError.noSuchContainer(c.id) }
        return code
    }
}
