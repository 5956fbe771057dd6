import CProcess
import DockerSyntax
import Foundation
import ProcessSpawn

/// The process that owns one running container, as containerd-shim does: it starts the container's
/// main process, copies its output to the log and to the attached client, runs health checks, and
/// records the exit in the state file. It lives in its own session, so the container outlives a
/// killed client; if the shim itself dies, PR_SET_PDEATHSIG kills the container and the next reader of
/// the state marks it exited (Daemon.reconcile).
///
/// Started as `fake-docker __shim ID [--client-pid PID] [--delay S]` with 0/1/2 the client's streams (or
/// /dev/null) and descriptor 3 the report pipe: the shim writes `ok` once the process runs, or
/// `fail CODE` and docker's message, then closes it. It is the start's request process (RequestProcess):
/// a scripted delay is spent here, so that a client killed during it does not stop the start. The shim's own
/// exit status is the container's exit code, so an attached client learns it even when `--rm` has already
/// removed the container.
enum Shim {

    struct StartFailure: Error {
        var detail: String          // runc's part, e.g. `exec: "x": executable file not found in $PATH`
        /// The daemon's own refusal (an unknown `--user`), said without runc's wrapping.
        var fromDaemon = false
        var message: String {
            if fromDaemon { return "Error response from daemon: \(detail)" }
            return "Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: \(detail): unknown"
        }
    }

    struct Started {
        var pid: pid_t
        var outputFD: Int32     // the container's stdout pipe, or the pty master
        var errorFD: Int32      // the container's stderr pipe; -1 with a tty
        var logFD: Int32
        var pidNamespace: Bool
    }

    static func main(_ args: [String], store: StateStore) -> Int32 {
        guard let id = args.first else { return 2 }
        var clientPID: Int32 = 0
        if let i = args.firstIndex(of: "--client-pid"), i + 1 < args.count { clientPID = Int32(args[i + 1]) ?? 0 }
        if let i = args.firstIndex(of: "--delay"), i + 1 < args.count { sleepSeconds(Double(args[i + 1]) ?? 0) }
        // CHLD: the container's exit and the health checks'; WINCH: the attached client's resize request.
        // USR1: a stop or kill ends the restart policy's restarts (ShimRestarts).
        let signals = [SIGCHLD, SIGWINCH, endRestartsSignal]
        let signalFD = signals.withUnsafeBufferPointer { cp_signalfd($0.baseAddress, Int32($0.count)) }

        guard var container = try? store.container(id: id) else {
            report("fail 125\nError response from daemon: No such container: \(id)")
            return 125
        }
        ContainerStdin.openForLaterClients(container, store: store)
        Daemon.clearStoppedByHand(container.id, store: store)
        // The host ports first, as the engine's network driver takes them before the task exists.
        var published: PublishedPorts
        switch PublishedPorts.bind(PublishedPorts.config(container, store: store), endpoint: container.name, store: store) {
        case .failure(let failure): return recordFailedStart(&container, store: store, detail: failure.detail, message: failure.message)
        case .success(let p): published = p
        }
        let started: Started
        switch start(container, store: store) {
        case .failure(let failure):
            published.stop()
            return recordFailedStart(&container, store: store, detail: failure.detail, message: failure.message)
        case .success(let s): started = s
        }
        published.startProxies(into: started.pid)
        published.save(container.id, store: store)
        var notRunning = container
        markRunning(&container, started)
        do {
            try store.updateState(container)
            // A start by a client begins the restart policy's count again (observed).
            try store.setRestartCount(0, ofContainer: id)
        } catch {
            // The client must not hear "ok" for a container the state does not show running: `stop` and
            // `kill` find its PID in the state, so nothing could stop it. It is killed and the start fails.
            discard(started)
            published.stop()
            published.forget(container.id, store: store)
            return recordFailedStart(&notRunning, store: store, detail: "cannot record the container as running: \(error)",
                                     message: "Error response from daemon: cannot record container \(id) as running: \(error)")
        }
        report("ok")

        // `script --oom-after S`, the kernel's OOM killer simulated: the container's process is killed after S seconds.
        let oomAfter = ScriptedFaults.consume(store, command: ScriptedFaults.outOfMemory)?.delay
        var loop = ShimLoop(container: container, started: started, store: store, signalFD: signalFD, clientPID: clientPID,
                            oomAfter: oomAfter)
        let code = loop.run()
        // The ports are free before the exit is recorded: whoever sees the container stopped can take them.
        published.stop()
        published.forget(container.id, store: store)
        let last = restartAsPolicySays(container, after: loop, code: code, signalFD: signalFD, clientPID: clientPID, store: store)
        return recordExit(container.id, code: last.code, oomKilled: last.oomKilled, store: store)
    }

    /// The container as its state shows it once `started` runs, its shim this process.
    static func markRunning(_ container: inout Container, _ started: Started) {
        container.status = .running
        container.pid = started.pid
        container.pidStart = HostProcess.startTime(started.pid) ?? 0
        container.shimPID = getpid()
        container.shimStart = HostProcess.startTime(getpid()) ?? 0
        container.pidNamespace = started.pidNamespace
        container.startedAt = now()
        container.finishedAt = nil
        container.exitCode = 0
        container.error = ""
        container.oomKilled = false
        if container.config.healthcheck.map({ $0.test.first != "NONE" }) ?? false { container.health = "starting" }
    }

    static func report(_ text: String) { RequestProcess.answer(text) }

    /// Records a start that failed with docker's `message` (`detail` is what `.State.Error` keeps) and
    /// reports it. A state that cannot take the record is reported with it, since the state may then
    /// still show the container as it was before the start.
    static func recordFailedStart(_ c: inout Container, store: StateStore, detail: String, message: String) -> Int32 {
        // The client's classification (127 not found, 126 not executable, else 125) is what the
        // daemon records too, except that it records 128 where the client says 125 (observed for a
        // host name the kernel refuses).
        let clientCode = DockerError.run(message).exitCode
        let code: Int32 = clientCode == 125 ? 128 : clientCode
        // The daemon writes its 128 over a 0 only: a container that ran before keeps its last exit code, and its state
        // is `exited` (the engine's StateString: `created` until a first start; observed, "--network container:NAME").
        c.exitCode = code == 128 && c.startedAt != nil && c.exitCode != 0 ? c.exitCode : code
        c.error = detail
        c.status = c.startedAt == nil ? .created : .exited
        var reported = message
        do {
            try store.updateState(c)
        } catch {
            reported += "\nError response from daemon: cannot record the failed start of container \(c.id): \(error)"
        }
        if c.config.autoRemove {
            do { try Daemon(store: store).remove(c, force: true) } catch { reported += "\n" + error.message }
        }
        report("fail \(code)\n\(reported)")
        return code
    }

    /// Kills a container process whose start cannot be recorded and releases what `start` opened for it.
    static func discard(_ started: Started) {
        kill(started.pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(started.pid, &status, 0) < 0 && errno == EINTR {}
        for fd in [started.outputFD, started.errorFD, started.logFD] where fd >= 0 { close(fd) }
    }

    /// Records the exit and returns what the shim exits with: the container's exit code, or 125 with
    /// docker's message on stderr when the state cannot record it, so that an attached client does not
    /// take for a clean exit one the state does not hold (`wait`, `ps` and `inspect` would later report
    /// the shim's death instead).
    /// `oomKilled`: the shim's out-of-memory fault ended it (`.State.OOMKilled`).
    static func recordExit(_ id: String, code: Int32, oomKilled: Bool = false, store: StateStore) -> Int32 {
        let recorded: Container?
        do {
            recorded = try store.transaction {
                guard var c = try store.container(id: id) else { return nil }
                c.status = .exited
                c.exitCode = code
                c.oomKilled = oomKilled
                c.finishedAt = now()
                c.pid = 0
                try store.updateState(c)
                return c
            }
        } catch {
            Output.err("Error response from daemon: cannot record the exit of container \(id): \(error)")
            return 125
        }
        if let c = recorded, c.config.autoRemove {
            do { try Daemon(store: store).remove(c, force: true) } catch { Output.err(error.message) }
        }
        return code
    }

    /// Gives the container's terminal the size of the attached client's: the terminal on the shim's stdout, which is
    /// the client's own, where the docker CLI reads the size it sends (its stdout; none when that is not a terminal,
    /// and none once the client is gone). Asked at the start, before the process runs (as an engine that takes the
    /// size with the create does; Engine 20.10 starts it at 0 0 and resizes it just after), and at each WINCH the
    /// client sends the shim.
    static func copyClientTerminalSize(to master: Int32) {
        if let size = clientTerminalSize() { _ = cp_tty_set_winsize(master, size.rows, size.columns) }
    }

    static func clientTerminalSize() -> (rows: UInt16, columns: UInt16)? {
        var rows: UInt16 = 0, columns: UInt16 = 0
        return cp_tty_winsize(1, &rows, &columns) == 0 ? (rows, columns) : nil
    }

    // MARK: Starting the process

    static func start(_ c: Container, store: StateStore) -> Result<Started, StartFailure> {
        // The network first (the engine's initializeNetworking): another container's, joined.
        var c = c, network: Int32?
        if let reference = NetworkContainer.reference(c.config.networkMode) {
            switch ContainerNamespaces.joinNetwork(of: &c, reference: reference, store: store) {
            case .failure(let f): return .failure(f)
            case .success(let fd): network = fd
            }
        }
        defer { if let network { close(network) } }
        // The engine links at the start: each target must be running then.
        for link in Link.list(c.config.otherOptions["link"] ?? []) {
            let target = try? store.findContainer(link.name)
            if target?.isRunning != true {
                let name = target?.name ?? link.name
                return .failure(StartFailure(detail: "Cannot link to a non running container: /\(name) AS /\(c.name)/\(link.alias)",
                                             fromDaemon: true))
            }
        }
        // The logging driver starts once the network is set up (docs/engine-observations.md, "--log-opt values").
        if let refusal = LogConfig(c.config.otherOptions).startRefusal {
            return .failure(StartFailure(detail: "failed to initialize logging driver: \(refusal)", fromDaemon: true))
        }
        var exec = ContainerExec(rootfs: store.rootfs(ofContainer: c.id), config: c.config)
        exec.networkNamespace = network
        let prepared: ContainerExec.Prepared
        switch exec.prepare() {
        case .failure(let f): return .failure(f)
        case .success(let p): prepared = p
        }
        if let failure = exec.checkHostName() { return .failure(failure) }
        let program: String
        switch exec.resolve(c.config.path) {
        case .failure(let f): return .failure(f)
        case .success(let p): program = p
        }
        let logFD = open(store.logPath(ofContainer: c.id), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        var streams = ContainerExec.Streams(stdin: c.config.openStdin ? 0 : devNull, stdout: -1, stderr: -1)
        var outputFD: Int32 = -1, errorFD: Int32 = -1
        var consoleSocket: [Int32] = [-1, -1]
        if c.config.tty && exec.isolated {
            // As runc's console socket: the terminal is made inside, of the container's own /dev/pts, and its master
            // comes back over the socket.
            guard cp_socketpair_cloexec(&consoleSocket) == 0 else {
                return .failure(StartFailure(detail: "socketpair: \(String(cString: strerror(errno)))"))
            }
            let size = clientTerminalSize()
            streams = .init(stdin: -1, stdout: -1, stderr: -1,
                            console: .init(socket: consoleSocket[1], rows: size?.rows ?? 0, columns: size?.columns ?? 0))
        } else if c.config.tty {
            var master: Int32 = -1, slave: Int32 = -1
            let rc = cp_openpty(&master, &slave)
            guard rc == 0 else { return .failure(StartFailure(detail: "open pty: \(String(cString: strerror(rc)))")) }
            outputFD = master
            copyClientTerminalSize(to: master)
            streams = .init(stdin: slave, stdout: slave, stderr: slave, controllingTTY: true)
        } else {
            var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
            guard cp_pipe_cloexec(&out) == 0, cp_pipe_cloexec(&err) == 0 else {
                return .failure(StartFailure(detail: "pipe: \(String(cString: strerror(errno)))"))
            }
            outputFD = out[0]; streams.stdout = out[1]
            errorFD = err[0]; streams.stderr = err[1]
        }
        // PID 1 semantics come from a PID namespace (root only); `--init` puts an init in front of the
        // command on the engine, so there the command is an ordinary process.
        var ownNamespace: Int32 = -1
        let pidNamespace = !c.config.initProcess && cp_unshare_pid_namespace(&ownNamespace) == 0
        var spawned = exec.spawn(program, argv: [c.config.path] + c.config.args, streams: streams,
                                 namespaces: .own(ownPIDNamespace: pidNamespace), prepared: prepared)
        // Later children (health checks, the removal of the files) are born in the shim's namespace:
        // the container's one cannot take new processes once its init has exited.
        if pidNamespace { _ = cp_restore_pid_namespace(ownNamespace) }
        if streams.stdout >= 0 { close(streams.stdout) }
        if streams.stderr != streams.stdout && streams.stderr >= 0 { close(streams.stderr) }
        if consoleSocket[0] >= 0 {
            close(consoleSocket[1])
            if case .success(let pid) = spawned {
                do { outputFD = try receiveDescriptor(consoleSocket[0]) } catch {
                    kill(pid, SIGKILL)
                    while waitpid(pid, nil, 0) < 0 && errno == EINTR {}
                    spawned = .failure(StartFailure(detail: "error during container init: console: \(error.text)"))
                }
            }
            close(consoleSocket[0])
        }
        guard case .success(let pid) = spawned else {
            close(outputFD); if errorFD >= 0 { close(errorFD) }; close(logFD)
            if case .failure(let f) = spawned { return .failure(f) }
            return .failure(StartFailure(detail: "spawn"))
        }
        return .success(Started(pid: pid, outputFD: outputFD, errorFD: errorFD, logFD: logFD, pidNamespace: pidNamespace))
    }
}
