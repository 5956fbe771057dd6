import DockerSyntax
import Glibc
import ProcessSpawn

/// The I/O around `RunPolicy`, `NotifyPolicy` and `NotifyRelay`: one poll(2) loop that turns what dockrun observes
/// into their events — signals (signalfd), the cidfile (inotify on its directory), each docker process's end (its
/// pidfd) and output (pipes), the container's notifications (a datagram socket), their timers — and carries out the
/// actions they return. The decisions are theirs: what happens
/// next is `RunPolicy`'s, what a docker process's end means is `RunPolicy.Event.ended`'s, which cidfile is read and
/// deleted is `Cidfile`'s, the client's process group is `DockerProcess.clientProcessGroup`'s, and what a client that
/// cannot be started exits with is `DockrunError`'s.
final class EventLoop {
    /// How long docker processes still running at the exit may take to end before they are killed.
    /// They are ones whose outcome no longer matters (a relayed signal's `docker kill`, a `docker
    /// stop` that the container's end overtook) and normally end within moments; one hanging on an
    /// unresponsive daemon must neither keep dockrun from exiting nor outlive it.
    static let exitGraceMilliseconds: Int64 = 2000
    /// docker's messages are one line; anything beyond this is not read into memory.
    static let capturedBytesLimit = 16 * 1024

    /// The timers of both policies, kept in one table.
    private enum Timer: Hashable {
        case policy(RunPolicy.Timer)
        /// The next look for the container ID file, when the directory cannot be watched (`cidfilePoll`).
        case cidfile
        /// `NotifyPolicy`'s next probe of the container's state, its next watchdog ping, its next extension of
        /// the start timeout.
        case probe, watchdog, extendTimeout
    }

    /// What a docker process is run for: the policy's decisions, or a look at the container's state.
    fileprivate enum Purpose {
        case policy(DockerProcess)
        /// `docker inspect` of the container's state, whose answer goes to each reader that asked while it ran: one
        /// probe serves systemd's readiness and the health watch when both ask at once.
        case probe(Set<StateReader>)
    }

    /// Who reads a probe's answer.
    fileprivate enum StateReader: Hashable {
        /// `NotifyPolicy` (readiness, the watchdog).
        case notifier
        /// The health watch, whose answer is `RunPolicy`'s.
        case health
    }

    /// A docker process that is running, with what it has written so far.
    private struct Helper {
        var purpose: Purpose
        let child: System.Child
        var stdout: Int32?
        var stderr: Int32?
        var output: [UInt8] = []
        var errors: [UInt8] = []
    }

    private var policy: RunPolicy
    private let docker: String
    private let request: RunRequest
    private let signals: Int32
    private let debug: Bool
    private var helpers: [Helper] = []
    /// Events observed (or a failed start, told as a docker process's end) that the policy has not
    /// seen yet, oldest first.
    private var queue: [RunPolicy.Event] = []
    /// When each timer that is set is due, on the monotonic clock.
    private var timers: [Timer: Int64] = [:]
    private var exitCode: Int32?

    /// The labels of this run's container; the guardian finds the container by them if it must.
    private let labels: RunLabels
    /// The process that cleans up if dockrun is killed before it can; nil if it could not be started.
    private var guardian: GuardianLink?
    /// systemd's `NOTIFY_SOCKET` and what to tell it; nil when dockrun was not started by systemd
    /// with a notification socket, or with `--sdnotify=ignore`.
    private var notifySocket: String?
    private var notifier: NotifyPolicy?
    private var notifyFailed = false
    /// `--sdnotify=container` under systemd: what the container says on its own socket, and that socket (made in
    /// the private directory before the client starts).
    private var relay: NotifyRelay?
    private var relaySocket: Int32?
    private let engineWaitMilliseconds: Int64
    /// When the attached stream (the client, or a follower) last ended, as the engine's log timestamps read it:
    /// a re-attach replays the log from there.
    private var streamEndedAt = ""

    private var cidfile: Cidfile?
    /// The cidfile's directory, watched until the container ID is read; nil when the file is not.
    private var watch: Int32?
    private var privateDirectory: String?

    init(request: RunRequest, docker: String, signals: Int32, debug: Bool, engineWaitMilliseconds: Int64) {
        let notification = NotifyPolicy.configuration(mode: request.notify, environment: System.environment, pid: getpid())
        let health = HealthWatch.needed(onFailure: request.healthOnFailure,
                                        confirm: request.optionNeedingHealthCheck != nil && request.healthCheck != .present,
                                        reports: notification != nil)
        self.policy = RunPolicy(remove: request.remove, commit: request.commit, interactive: System.isTerminal(0),
                                engineWaitMilliseconds: engineWaitMilliseconds, health: health)
        self.engineWaitMilliseconds = engineWaitMilliseconds
        self.request = request
        self.labels = System.runLabels(remove: request.remove)
        self.docker = docker
        self.signals = signals
        self.debug = debug
        if let (socket, policy) = notification {
            notifySocket = socket
            notifier = policy
            if request.notify == .container { relay = NotifyRelay(mainPID: policy.mainPID) }
        }
    }

    func run() -> Int32 {
        defer { cleanUp() }
        do throws(DockrunError) {
            // The guardian first, told where the private directory goes before it exists: whenever dockrun is
            // killed from here on, the guardian deletes what it made.
            let cidfile = plannedCidfile()
            let directory = plannedPrivateDirectory(cidfile)
            startGuardian(cidfile, privateDirectory: directory)
            try prepare(cidfile, privateDirectory: directory)
            notify { $0.start() }
            try startClient(cidfile)
        } catch {
            message(error.message)
            return error.exitCode
        }
        while exitCode == nil {
            waitForEvents()
            handleQueuedEvents()
        }
        endRemainingHelpers()
        if let exitCode { notify { $0.exited(exitCode) } }
        return exitCode ?? 125
    }

    // MARK: start

    /// The user's `--cidfile`, or `cid` in the run's private directory (not made yet).
    private func plannedCidfile() -> Cidfile {
        guard let user = request.cidfile else {
            return Cidfile(privateDirectory: System.privateDirectoryPath(run: labels.run))
        }
        return Cidfile(user: user, exists: System.exists(user))
    }

    /// The run's private directory, when it needs one: for dockrun's own cidfile, or for the notification relay.
    private func plannedPrivateDirectory(_ cidfile: Cidfile) -> String? {
        if !cidfile.isUsers { return cidfile.directory }
        return relay == nil ? nil : System.privateDirectoryPath(run: labels.run)
    }

    /// Makes the private directory (for dockrun's own cidfile, the relay's socket) and watches the cidfile's directory.
    private func prepare(_ cidfile: Cidfile, privateDirectory directory: String?) throws(DockrunError) {
        if let directory {
            do {
                try System.makePrivateDirectory(directory)
                privateDirectory = directory
            } catch {
                throw .system("cannot create a private temporary directory: \(error.text)")
            }
            if relay != nil {
                do {
                    relaySocket = try System.bindDatagramSocket(
                        directory: NotifyRelay.hostDirectory(inPrivateDirectory: directory),
                        socket: NotifyRelay.hostSocket(inPrivateDirectory: directory))
                } catch {
                    throw .system("cannot make the container's notification socket: \(error.text)")
                }
            }
        }
        self.cidfile = cidfile
        guard cidfile.readable else { return }
        do {
            watch = try System.watchDirectory(cidfile.directory)
        } catch where Self.inotifyExhausted.contains(error.errno) {
            // The user's inotify instances or watches are all in use (fs.inotify.max_user_instances, 128 by default,
            // is soon reached on a host running many containers): the file is looked for on a timer instead.
            if debug { message("debug: cannot watch \(cidfile.directory) (\(error.text)); looking for the ID file on a timer") }
            setTimer(.cidfile, afterMilliseconds: cidfilePoll.next())
        } catch {
            throw .system("cannot watch \(cidfile.directory) for the container ID file: \(error.text)")
        }
    }

    /// inotify's errors when a limit of the user's is reached, not a fault of the directory.
    private static let inotifyExhausted: Set<Int32> = [EMFILE, ENFILE, ENOSPC, ENOMEM]
    /// Without a watch, the container ID file is looked for after 10 ms, then twice as long each time up to every
    /// 100 ms: a create takes tens of milliseconds or more.
    private var cidfilePoll = Backoff(firstMilliseconds: 10, longestMilliseconds: 100)

    /// Started before the client, so that no container can exist that the guardian would not hear of.
    private func startGuardian(_ cidfile: Cidfile, privateDirectory: String?) {
        var records: [GuardianBriefing.Record] = [
            .docker(docker), .engineWait(milliseconds: engineWaitMilliseconds), .filter(labels.filter),
        ]
        if request.remove { records.append(.remove) }
        if cidfile.readable { records.append(.cidfile(cidfile.path)) }
        if let privateDirectory { records.append(.directory(privateDirectory)) }
        if let user = request.cidfile { records.append(.userCidfile(user)) }
        do {
            guardian = try GuardianLink.start(records)
        } catch {
            message("warning: cannot start the guardian (\(error.text)): if dockrun is killed with SIGKILL, its container will run on")
        }
    }

    /// The run's labels, with its guardian's identity when it runs and /proc shows it.
    private var guardedLabels: RunLabels {
        guard let pid = guardian?.child.pid, let identity = System.processIdentity(pid) else { return labels }
        return labels.guarded(by: pid, startTicks: identity.startTicks)
    }

    private func startClient(_ cidfile: Cidfile) throws(DockrunError) {
        let command = DockerCommand.run(request, cidfile: cidfile.path, labels: guardedLabels, ownOptions: relayOptions)
        trace(command)
        do {
            let child = try System.spawn(docker, command.arguments, clientOptions)
            helpers.append(Helper(purpose: .policy(.client), child: child))
            guardian?.tell(.client(child.pid))
        } catch {
            throw DockrunError(startingDocker: docker, error)
        }
    }

    /// The options that give the container its own `NOTIFY_SOCKET`, with `--sdnotify=container` under systemd.
    private var relayOptions: [String] {
        guard relaySocket != nil, let privateDirectory else { return [] }
        return NotifyRelay.dockerOptions(hostDirectory: NotifyRelay.hostDirectory(inPrivateDirectory: privateDirectory),
                                         watchdogMicroseconds: notifier?.watchdogMicroseconds)
    }

    /// How a client is started (`docker run`, and the `docker start --attach` that carries its start through): with
    /// dockrun's stdin, stdout and stderr. It keeps the terminal's Ctrl+C and hangups ignored (Go keeps an inherited
    /// SIG_IGN for INT and HUP) and forwards nothing (`--sig-proxy=false`; off a terminal, a process group of its
    /// own): dockrun alone turns signals into one stop.
    private var clientOptions: SpawnOptions {
        var options = SpawnOptions()
        options.processGroup = DockerProcess.clientProcessGroup(onTerminal: System.isTerminal(0),
                                                                readsTerminal: request.interactive || request.tty)
        options.deathSignal = DockerProcess.clientDeathSignal
        options.ignoredSignals = [SIGINT, SIGHUP]
        options.blockedSignals = SignalTable.clientBlockedSignals
        return options
    }

    /// The container the client created but never started, started and attached as the client would have.
    private func startCreated(_ id: ContainerID) {
        let command = DockerCommand.startAttached(id, interactive: request.interactive)
        trace(command)
        do {
            helpers.append(Helper(purpose: .policy(.start), child: try System.spawn(docker, command.arguments, clientOptions)))
        } catch {
            queue.append(.notStarted(.start, reason: "cannot start \(docker): \(error.text)"))
        }
    }

    /// After the attached stream broke: the container's output from where it broke, passed straight through as
    /// the client's is (stdin is not re-attached: the container's stdin gets nothing more).
    private func startFollower(_ id: ContainerID) {
        let command = DockerCommand.follow(id, since: streamEndedAt)
        var options = SpawnOptions()
        options.processGroup = .own
        trace(command)
        do {
            let stdin = try System.openDevNull(O_RDONLY)
            defer { close(stdin) }
            options.stdin = stdin
            helpers.append(Helper(purpose: .policy(.follow), child: try System.spawn(docker, command.arguments, options)))
        } catch {
            queue.append(.notStarted(.follow, reason: "cannot start \(docker): \(error.text)"))
        }
    }

    // MARK: the loop

    /// Waits for the next events and queues them.
    private func waitForEvents() {
        var timeout: Int32 = -1
        if let next = timers.values.min() {
            timeout = Int32(clamping: max(0, next - System.monotonicMilliseconds()))
        }
        var fds = [signals]
        if let watch { fds.append(watch) }
        if let relaySocket { fds.append(relaySocket) }
        let (ready, ended) = pollHelpers(alongside: fds, timeoutMilliseconds: timeout)

        if ready[0] { queue += System.pendingSignals(signals).map { .signal($0) } }
        if let watch, ready[1], let cidfile, System.drainWatch(watch, mentioning: cidfile.name) {
            queue += containerIDEvent()
        }
        if let relaySocket, ready[fds.count - 1] { relayNotifications(relaySocket) }
        for helper in ended {
            // The client wrote the ID before it could end: read it first, so the policy learns of the container.
            if case .policy(.client) = helper.purpose { queue += containerIDEvent() }
            finish(helper)
        }
        let now = System.monotonicMilliseconds()
        for (timer, due) in timers where due <= now {
            timers[timer] = nil
            switch timer {
            case .policy(let timer): queue.append(.timerFired(timer))
            case .cidfile:
                queue += containerIDEvent()
                if policy.phase == .starting { setTimer(.cidfile, afterMilliseconds: cidfilePoll.next()) }
            case .probe: notify { $0.probeDue() }
            case .watchdog: notify { $0.watchdogDue() }
            case .extendTimeout: notify { $0.extensionDue() }
            }
        }
    }

    /// Polls `fds` together with every helper's pidfd and output, reads the output that is ready,
    /// and takes the helpers that ended out of `helpers`. Returns which of `fds` are ready, and the
    /// helpers that ended (not yet reaped), the last started first.
    private func pollHelpers(alongside fds: [Int32], timeoutMilliseconds: Int32) -> (ready: [Bool], ended: [Helper]) {
        var polled = fds
        for helper in helpers {
            polled.append(helper.child.pidfd)
            if let out = helper.stdout { polled.append(out) }
            if let err = helper.stderr { polled.append(err) }
        }
        let ready = System.poll(polled, timeoutMilliseconds: timeoutMilliseconds)
        var index = fds.count
        var exited: [Int] = []
        for position in helpers.indices {
            let pidfdReady = ready[index]
            index += 1
            if helpers[position].stdout != nil {
                if ready[index] { drain(&helpers[position], stdout: true) }
                index += 1
            }
            if helpers[position].stderr != nil {
                if ready[index] { drain(&helpers[position], stdout: false) }
                index += 1
            }
            if pidfdReady { exited.append(position) }
        }
        let ended = exited.reversed().map { helpers.remove(at: $0) }
        return (Array(ready[..<fds.count]), ended)
    }

    /// The container ID once docker has written all of it; nothing while the file is absent,
    /// empty or partial.
    private func containerIDEvent() -> [RunPolicy.Event] {
        guard policy.phase == .starting, let cidfile, cidfile.readable,
              let text = System.readSmallFile(cidfile.path), let id = ContainerID(cidfileContents: text)
        else { return [] }
        if let watch {
            close(watch)
            self.watch = nil
        }
        return [.containerID(id)]
    }

    private func drain(_ helper: inout Helper, stdout: Bool) {
        guard let fd = stdout ? helper.stdout : helper.stderr else { return }
        let open = stdout
            ? System.readAvailable(fd, into: &helper.output, limit: Self.capturedBytesLimit)
            : System.readAvailable(fd, into: &helper.errors, limit: Self.capturedBytesLimit)
        if !open {
            close(fd)
            if stdout { helper.stdout = nil } else { helper.stderr = nil }
        }
    }

    /// Reaps a helper that has ended, collects the rest of its output, and tells its end to the
    /// policy (queued) or to the notifier.
    private func finish(_ helper: Helper) {
        let (helper, status) = reap(helper)
        switch helper.purpose {
        case .policy(let process):
            queue.append(.ended(process, status: status, stdout: helper.output, stderr: helper.errors))
        case .probe(let readers):
            let answer = status == .exited(0) ? String(decoding: helper.output, as: UTF8.self) : ""
            probed(readers, ContainerState(inspectOutput: answer))
        }
    }

    /// Reaps a helper that has ended and collects the rest of its output.
    private func reap(_ helper: Helper) -> (Helper, ExitStatus) {
        var helper = helper
        let status = System.reap(helper.child)
        close(helper.child.pidfd)
        drain(&helper, stdout: true)
        drain(&helper, stdout: false)
        for fd in [helper.stdout, helper.stderr].compactMap({ $0 }) { close(fd) }
        return (helper, status)
    }

    // MARK: actions

    /// Hands the queued events to the policy, oldest first, and carries out its actions, until the
    /// queue is empty or the policy has decided the exit.
    private func handleQueuedEvents() {
        while exitCode == nil, !queue.isEmpty {
            let event = queue.removeFirst()
            let phase = policy.phase
            for action in policy.handle(event, at: System.monotonicMilliseconds()) { perform(action) }
            if policy.phase != phase { notify { $0.phaseChanged(to: policy.phase, container: policy.containerID) } }
        }
    }

    private func perform(_ action: RunPolicy.Action) {
        switch action {
        case .spawnWait(let id): startHelper(.policy(.wait), .wait(id))
        case .spawnInspect(let id): startHelper(.policy(.inspect), .inspectState(id))
        case .spawnStop(let id): startHelper(.policy(.stop), .stop(id))
        case .spawnKill(let id, let signal): startHelper(.policy(.kill(signal: signal)), .kill(id, signal: signal))
        case .spawnCommit(let id, let target): startHelper(.policy(.commit), .commit(id, target))
        case .spawnRemove(let id): startHelper(.policy(.remove), .remove(id))
        case .spawnFollow(let id): startFollower(id)
        case .spawnStart(let id): startCreated(id)
        case .spawnHealthProbe(let id): startProbe(for: .health, id)
        case .report(let note): notify { $0.noted(note) }
        case .sweep:
            // Blocking, for at most the in-flight bound (and an outage): the run has nothing else left to do.
            let executor = TeardownExecutor(docker: docker, debug: debug, engineWaitMilliseconds: engineWaitMilliseconds,
                                            say: message)
            queue.append(.swept(executor.sweep(filter: labels.filter, remove: request.remove,
                                               since: System.monotonicMilliseconds())))
        case .setTimer(let timer, let delay): setTimer(.policy(timer), afterMilliseconds: delay)
        case .tellGuardian(let record): guardian?.tell(record)
        case .markStreamEnd: streamEndedAt = LogTime.now().rfc3339NanoFixed
        case .writeMessage(let text): message(text)
        case .exit(let code): exitCode = code
        }
    }

    /// Carries out the notifier's decisions on what `change` returns: datagrams to systemd, probes, timers.
    private func notify(_ change: (inout NotifyPolicy) -> [NotifyPolicy.Action]) {
        guard var notifier, let notifySocket else { return }
        let actions = change(&notifier)
        self.notifier = notifier
        for action in actions {
            switch action {
            case .send(let text): tellSystemd(text, at: notifySocket)
            case .probe(let id): startProbe(for: .notifier, id)
            case .scheduleProbe(let delay): setTimer(.probe, afterMilliseconds: delay)
            case .scheduleWatchdog(let delay): setTimer(.watchdog, afterMilliseconds: delay)
            case .scheduleExtension(let delay): setTimer(.extendTimeout, afterMilliseconds: delay)
            }
        }
    }

    /// Reads what the container said on its socket and passes on what the relay lets through.
    private func relayNotifications(_ socket: Int32) {
        guard var relay, let notifySocket else { return }
        // A bounded batch per turn of the loop: a container that floods its socket cannot starve the rest.
        for (bytes, length) in System.receiveDatagrams(socket, count: 64, longest: NotifyRelay.longestMessage) {
            for action in relay.received(bytes, length: length, atMicroseconds: System.monotonicMicroseconds()) {
                switch action {
                case .send(let text): tellSystemd(text, at: notifySocket)
                case .say(let text): message(text)
                }
            }
        }
        self.relay = relay
    }

    private func tellSystemd(_ text: String, at socket: String) {
        if let failure = System.sendDatagram(socket, text), !notifyFailed {
            notifyFailed = true
            message("warning: cannot notify systemd at \(socket): \(failure.text)")
        }
    }

    private func setTimer(_ timer: Timer, afterMilliseconds delay: Int64) {
        timers[timer] = System.monotonicMilliseconds() + delay
    }

    /// Helpers read nothing, keep their stdout off dockrun's (it carries only the container's
    /// output; `wait`'s is the exit code and a probe's the container's state, read here) and their
    /// stderr for dockrun to report. One that cannot be started is queued as its failure, for the
    /// policy to handle in turn (a probe's, as no answer).
    private func startHelper(_ purpose: Purpose, _ command: DockerCommand) {
        trace(command)
        do throws(System.Failure) {
            let (child, stdout, stderr) = try System.spawnHelper(docker, command.arguments, readStdout: purpose.readsStdout)
            helpers.append(Helper(purpose: purpose, child: child, stdout: stdout, stderr: stderr))
        } catch {
            switch purpose {
            case .policy(let process): queue.append(.notStarted(process, reason: "cannot start \(docker): \(error.text)"))
            case .probe(let readers): probed(readers, nil)
            }
        }
    }

    /// A probe of the container's state for `reader`: the one already running if there is one (its answer is as
    /// fresh as any), else a new one.
    private func startProbe(for reader: StateReader, _ id: ContainerID) {
        if let running = helpers.firstIndex(where: { if case .probe = $0.purpose { true } else { false } }),
           case .probe(let readers) = helpers[running].purpose {
            helpers[running].purpose = .probe(readers.union([reader]))
        } else {
            startHelper(.probe([reader]), .inspectState(id))
        }
    }

    /// A probe's answer (nil: it failed) to each of its readers.
    private func probed(_ readers: Set<StateReader>, _ state: ContainerState?) {
        if readers.contains(.notifier) { notify { $0.probed(state) } }
        if readers.contains(.health) { queue.append(.healthProbed(state)) }
    }

    // MARK: the exit

    /// Waits up to `exitGraceMilliseconds` for the helpers still running, then kills the rest, and
    /// reaps them all: no docker process outlives dockrun, and none can hold its exit back.
    private func endRemainingHelpers() {
        let deadline = System.monotonicMilliseconds() + Self.exitGraceMilliseconds
        while !helpers.isEmpty {
            let left = deadline - System.monotonicMilliseconds()
            guard left > 0 else { break }
            for helper in pollHelpers(alongside: [], timeoutMilliseconds: Int32(clamping: left)).ended {
                _ = reap(helper)
            }
        }
        for helper in helpers {
            System.kill(helper.child)
            _ = reap(helper)
        }
        helpers = []
    }

    private func message(_ text: String) { System.write(2, "dockrun: \(text)\n") }

    private func trace(_ command: DockerCommand) {
        if debug { message(command.trace(docker: docker)) }
    }

    /// Runs on every exit path: the private directory goes; a user's cidfile as `Cidfile` says.
    private func cleanUp() {
        if let watch { close(watch) }
        if let relaySocket { close(relaySocket) }
        if let cidfile, cidfile.deletedAtExit(containerRemoved: policy.removedContainer) { System.removeFile(cidfile.path) }
        if let privateDirectory { System.removePrivateDirectory(privateDirectory) }
        guardian?.release()
    }
}

extension EventLoop.Purpose {
    /// `docker wait` answers with the exit code and a probe with the container's state, on stdout.
    var readsStdout: Bool {
        switch self {
        case .policy(.wait), .policy(.inspect), .probe: return true
        case .policy: return false
        }
    }
}
