import CProcess
import DockerSyntax
import Foundation

/// The daemon-side operations every command shares, over the state file. There is no daemon process:
/// each container's shim records its own exit, and any fake-docker process can act on the state.
struct Daemon {
    let store: StateStore
    /// The engine's own stops on its way down (EngineRestart): they do not count as stopped by hand.
    var shuttingDown = false

    /// A container recorded as running whose shim is gone (killed, crashed) is marked exited, so that
    /// nothing waits forever on a container that no longer exists.
    @discardableResult
    func reconcile(_ container: Container) throws -> Container {
        guard container.isRunning, !HostProcess.isAlive(pid: container.shimPID, start: container.shimStart) else {
            return container
        }
        return try store.transaction {
            guard var fresh = try store.container(id: container.id) else { return container }
            guard fresh.isRunning, !HostProcess.isAlive(pid: fresh.shimPID, start: fresh.shimStart) else { return fresh }
            // The shim's death took the container with it (PR_SET_PDEATHSIG=SIGKILL).
            fresh.status = .exited
            fresh.exitCode = 137
            fresh.error = "container shim exited unexpectedly"
            fresh.finishedAt = now()
            fresh.pid = 0
            try store.updateState(fresh)
            return fresh
        }
    }

    /// Whether the engine is down (`script --daemon-down`, `script --restart`). A state that cannot say is
    /// reported, and the command runs as against an engine that answers, as with a fault that cannot be read.
    var engineIsDown: Bool {
        do {
            return try store.engineIsDown()
        } catch {
            Output.err("fake-docker: cannot read whether the engine is down: \(error)")
            return false
        }
    }

    /// `reconcile`, a state that cannot take the exit reported as the shim reports one it cannot record.
    func reconciled(_ container: Container) throws(DockerError) -> Container {
        do {
            return try reconcile(container)
        } catch {
            throw DockerError.daemon("cannot record the exit of container \(container.id): \(error)")
        }
    }

    func find(_ reference: String) throws(DockerError) -> Container {
        try reconciled(try store.findContainer(reference))
    }

    /// Delivers `signal` as the engine does: to the container's main process, which is PID 1 of its
    /// namespace, so a signal it has no handler for is dropped (except KILL and STOP). Without a PID
    /// namespace (not root) the same rule is applied here from /proc/PID/status's SigCgt.
    func deliver(_ signal: Int32, to c: Container) {
        endRestarts(c)
        if !shuttingDown { Self.markStoppedByHand(c.id, store: store) }
        guard let fd = HostProcess.open(pid: c.pid, start: c.pidStart) else { return }
        defer { close(fd) }
        if !c.pidNamespace && !c.config.initProcess && signal != SIGKILL && signal != SIGSTOP {
            guard let caught = HostProcess.caughtSignals(c.pid), caught & (1 << UInt64(signal - 1)) != 0 else { return }
        }
        _ = cp_pidfd_send_signal(fd, signal)
        thawAfterSignal(signal, to: c)
    }

    /// The engine's HasBeenManuallyStopped: a stop or kill by a client (any signal, the sig-proxy's too; not the
    /// engine's own at shutdown) marks the container, a file in its directory; each start clears it. An
    /// `unless-stopped` container so marked is not started again when the engine starts (EngineRestart).
    static func stoppedByHandPath(_ id: String, store: StateStore) -> String { store.containerDirectory(id) + "/stopped-by-hand" }

    static func markStoppedByHand(_ id: String, store: StateStore) {
        let fd = open(stoppedByHandPath(id, store: store), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        if fd >= 0 { close(fd) }
    }

    static func clearStoppedByHand(_ id: String, store: StateStore) { unlink(stoppedByHandPath(id, store: store)) }

    static func isStoppedByHand(_ id: String, store: StateStore) -> Bool { access(stoppedByHandPath(id, store: store), F_OK) == 0 }

    /// `docker kill`: the container must be running.
    func kill(_ c: Container, signal: Int32, reference: String) throws(DockerError) {
        guard c.isRunning else {
            throw DockerError.daemon("Container \(c.id) is not running")
        }
        deliver(signal, to: c)
    }

    /// `docker stop`: the stop signal, then SIGKILL after the timeout (-1: wait for ever); returns once
    /// the shim has recorded the exit. A container that is not running is already stopped. False if an
    /// engine restart cut the request first: the signal was sent, but no KILL follows (as observed).
    @discardableResult
    func stop(_ c: Container, timeout: Int?, signal: Int32?) -> Bool {
        guard c.isRunning else { return true }
        return finishStop(beginStop(c, timeout: timeout, signal: signal), connection: EngineConnection(store: store))
    }

    /// A stop under way: the stop signal sent, the KILL due at `killAt` (monotonic; nil: never).
    struct PendingStop {
        let container: Container
        let processFD: Int32?
        let killAt: Double?
    }

    func beginStop(_ c: Container, timeout: Int?, signal: Int32?) -> PendingStop {
        let sig = signal ?? c.config.stopSignal.flatMap(SignalName.parse) ?? SIGTERM
        let seconds = timeout ?? c.config.stopTimeout ?? 10
        let processFD = HostProcess.open(pid: c.pid, start: c.pidStart)
        deliver(sig, to: c)
        return PendingStop(container: c, processFD: processFD, killAt: seconds < 0 ? nil : monotonicNow() + Double(seconds))
    }

    /// Waits for the stopped process (KILL at its deadline), then for the shim; `connection` nil when the
    /// engine itself stops its containers.
    func finishStop(_ stop: PendingStop, connection: EngineConnection?) -> Bool {
        defer { if let fd = stop.processFD { close(fd) } }
        if let fd = stop.processFD {
            let timeout = stop.killAt.map { max(0, $0 - monotonicNow()) }
            let outcome = connection?.wait(for: fd, timeout: timeout)
                ?? (HostProcess.wait(pidfd: fd, timeout: timeout) ? .ready : .timedOut)
            if outcome == .lost { return false }
            if outcome == .timedOut { deliver(SIGKILL, to: stop.container) }
        }
        waitForShim(stop.container)
        return true
    }

    /// Waits (bounded) for the shim to record the exit and finish, so that a command that returns after
    /// stopping or killing leaves the state showing the container exited.
    func waitForShim(_ c: Container, timeout: Double = 30) {
        guard let shimFD = HostProcess.open(pid: c.shimPID, start: c.shimStart) else { return }
        HostProcess.wait(pidfd: shimFD, timeout: timeout)
        close(shimFD)
        followHandOver(c, timeout: timeout)
    }

    /// `docker wait`: blocks, without polling, until the container is not running; its exit code.
    func waitForExit(_ reference: String) throws(DockerError) -> Int32 {
        let connection = EngineConnection(store: store)
        var id: String?
        while true {
            let c: Container
            do {
                c = try find(id ?? reference)
            } catch {
                // Removed (--rm) while we waited: the shim kept its exit code for us.
                if let id, let code = try? store.removedExitCode(id) { return code }
                throw error
            }
            id = c.id
            guard c.isRunning else { return c.exitCode }
            if RestartPolicy.stored(c.config.restartPolicy).restarts { return try waitForNextExit(c, connection: connection) }
            if let fd = HostProcess.open(pid: c.shimPID, start: c.shimStart) {
                defer { close(fd) }
                if connection.wait(for: fd, timeout: nil) == .lost { throw EngineConnection.streamLost }
            }
        }
    }

    /// `docker rm`: refuses a running container unless forced, then deletes its record and files.
    /// Removes the container; with `volumes` (`rm -v`), or when it was run with `--rm` (the engine's auto-remove is
    /// an `rm -v`), the anonymous volumes it mounts too, those no other container uses (the others are kept quietly).
    func remove(_ c: Container, force: Bool, volumes: Bool = false) throws(DockerError) {
        if c.isRunning {
            guard force else {
                if c.status == .restarting {
                    throw DockerError.daemon("You cannot remove a restarting container \(c.id). Stop the container before attempting removal or force remove")
                }
                if c.status == .paused {
                    throw DockerError.daemon("You cannot remove a paused container \(c.id). Unpause and then stop the container before attempting removal or force remove")
                }
                throw DockerError.daemon("You cannot remove a running container \(c.id). Stop the container before attempting removal or force remove")
            }
            deliver(SIGKILL, to: c)
            waitForShim(c)
        }
        var removed = c
        do {
            try store.transaction {
                if let fresh = try store.container(id: c.id) {
                    removed = fresh
                    try store.deleteContainer(fresh)
                }
            }
        } catch {
            throw DockerError.daemon("\(error)")
        }
        // Before returning: a client may delete the whole state directory right after.
        SpareRootfs.giveBack(removed, store: store)
        FileTree.remove(store.containerDirectory(c.id))
        if volumes || c.config.autoRemove {
            for m in c.config.bindMounts ?? [] where m.isVolume && m.anonymous == true {
                if let name = m.volumeName { try? VolumeCommand.remove(name, store: store) }
            }
        }
    }
}
