import Glibc
import ProcessSpawn

/// What `docker inspect` answered: the container's state, or its first line of stderr.
public enum InspectResult: Equatable, Sendable {
    case state(ContainerState)
    case failed(String)
}

/// What `docker wait` answered: the container's exit code, or its first line of stderr.
public enum WaitResult: Equatable, Sendable {
    case code(Int32)
    case failed(String)

    /// The engine's answer for a container that no longer exists (wait, rm alike).
    var saysNoSuchContainer: Bool {
        if case .failed(let message) = self { return EngineMessage.saysNoSuchContainer(message) }
        return false
    }
}

/// The decisions of dockrun, as a value: it takes the events the event loop observes (with the time on its monotonic
/// clock) and returns what to do — docker commands to start, timers to set, what to tell the guardian, when to exit.
/// It spawns nothing, so every path is unit-tested.
public struct RunPolicy: Sendable {
    /// Where the run is, as the notifier follows it.
    public enum Phase: Equatable, Sendable {
        /// `docker run` started; no container ID yet.
        case starting
        /// The container exists; its client is attached to it.
        case running
        /// dockrun has asked docker to stop it (a signal, or the client died).
        case stopping
        /// The client was killed before its container was known: what it asked for is looked for by the run's label.
        case sweeping
        case committing
        case removing
        case done
    }

    /// The policy's timers; the event loop keeps them and tells `.timerFired` when one is due.
    public enum Timer: Hashable, Sendable {
        /// A finished stop (or kill) should be followed by the container's end within `stopCheckMilliseconds`; if it
        /// is not, the stop reached a container created but not yet started, which its client then started.
        case stopCheck
        /// The engine did not answer: time to start the failed commands again.
        case engineRetry
        /// The health watch's next `docker inspect` (`HealthWatch`).
        case healthProbe
    }

    public enum Event: Equatable, Sendable {
        case signal(Int32)
        case containerID(ContainerID)
        case clientExited(ExitStatus)
        case waitReturned(WaitResult)
        case inspected(InspectResult)
        case stopFinished(ok: Bool)
        case killFinished(signal: Int32?, ok: Bool)
        case commitFinished(ok: Bool, message: String)
        case removeFinished(ok: Bool, message: String)
        /// A docker command ended because the engine did not answer (it is down or went away mid-request).
        case engineUnreachable(DockerProcess)
        case timerFired(Timer)
        /// What carried the container's output after the client (`docker logs --follow`, or the `docker start
        /// --attach` that carried a start through) ended: the container ended, or the engine went away.
        case followerExited
        /// The sweep for the run's containers ended.
        case swept(SweepResult)
        /// The health watch's `docker inspect` answered (nil: it failed).
        case healthProbed(ContainerState?)
    }

    /// What dockrun learned of the container beside its phases, for systemd's `STATUS=`.
    public enum Note: Equatable, Sendable {
        /// Its health check's status changed.
        case health(String)
        /// The kernel killed it for out of memory.
        case outOfMemory
    }

    public enum Action: Equatable, Sendable {
        case spawnWait(ContainerID)
        case spawnInspect(ContainerID)
        case spawnStop(ContainerID)
        case spawnKill(ContainerID, signal: Int32?)
        case spawnCommit(ContainerID, CommitTarget)
        case spawnRemove(ContainerID)
        /// Stream the container's output again from where the attached stream broke: `docker logs --follow --since`.
        case spawnFollow(ContainerID)
        /// Start the container the client created but never started, attached as the client would have been:
        /// `docker start --attach [--interactive]`. Its end is a follower's.
        case spawnStart(ContainerID)
        /// `docker inspect` for the health watch: its answer is `.healthProbed`.
        case spawnHealthProbe(ContainerID)
        /// Tell the monitor (`NotifyPolicy`'s `STATUS=`).
        case report(Note)
        /// Find the run's containers by its label and tear each down (`TeardownExecutor.sweep`), then tell `.swept`:
        /// a create or start that its killed client had asked for still lands.
        case sweep
        /// Deliver `.timerFired(timer)` after so long (a timer set again is moved).
        case setTimer(Timer, afterMilliseconds: Int64)
        /// What the guardian must know to do dockrun's work if dockrun is killed.
        case tellGuardian(GuardianBriefing.Record)
        /// Note now, as the engine's log timestamps read it, as the moment the attached stream ended: a follow
        /// replays the container's log from there.
        case markStreamEnd
        case writeMessage(String)
        case exit(Int32)
    }

    /// How long a container's end may lag behind a finished stop before the stop is repeated: the engine ends it
    /// within milliseconds, but its client takes a while to see it on a loaded machine.
    public static let stopCheckMilliseconds: Int64 = 3000

    public let remove: Bool
    public let commit: CommitTarget?
    /// The client runs on a terminal, where it can detach (`--detach-keys`) and exit 0 while the container runs on:
    /// none of its exits is taken as the container's end.
    public let interactive: Bool

    public private(set) var containerID: ContainerID?
    public private(set) var client: ExitStatus?
    private var state: State = .starting(held: [])
    /// A QUIT reached dockrun on a terminal: the terminal's Ctrl-\ goes to the whole foreground group, and a client
    /// that shares it (it reads the terminal: `-i`) dies of it as Go does, with exit 2 (docs/dockrun.md, behaviour 3).
    private var quitOnTerminal = false
    private var engine: EngineContact
    /// `--health-on-failure`, and the health check the run needs (`HealthWatch`); nil when nothing depends on it.
    private var health: HealthWatch?
    /// dockrun ended the container for a reason of its own (unhealthy, no health check): its code, not the container's.
    private var endedByDockrun: Int32?

    /// Where the run is, with what each step needs to know.
    private enum State: Equatable, Sendable {
        /// Signals received before the container existed, replayed in order once it does.
        case starting(held: [Int32])
        /// The container exists and its end is awaited.
        case live(Live)
        /// The client was killed before the container was known (its exit status): the run's label is swept.
        case sweeping(client: ExitStatus)
        /// Its end is established (`code`); a commit or the removal runs.
        case committing(code: Int32)
        case removing(code: Int32)
        /// `removed`: dockrun removed the container (the user's cidfile then goes too).
        case done(removed: Bool)
    }

    private struct Live: Equatable, Sendable {
        /// Set once dockrun asked docker to stop the container: no commit then.
        var stop: Stop?
        var stream = Stream.client(broken: false)
        /// A `docker inspect` after an ambiguous end of the stream is under way.
        var inspecting = false
        /// Its inspect said `OOMKilled` (and it was said).
        var outOfMemory = false
    }

    private struct Stop: Equatable, Sendable {
        /// The signal that asked for it (TERM or INT).
        var signal: Int32
        /// A `docker stop` is running (it takes up to the stop timeout).
        var inFlight = true
        /// A `docker kill` followed it (a second stop signal, or a stop that failed).
        var escalated = false
    }

    /// What carries the container's output, and whether it last ended by a failure of docker's own while the
    /// container may run on (then a container found running is followed again, not stopped).
    private enum Stream: Equatable, Sendable {
        case client(broken: Bool)
        /// Followed again after a break: the container's end is its code, whatever the broken client said.
        case followed(broken: Bool)

        var broken: Bool {
            switch self {
            case .client(let broken), .followed(let broken): broken
            }
        }
    }

    /// How the engine answers: while it does not, the commands it failed wait to be started again.
    private struct EngineContact: Sendable {
        var wait: EngineWait
        var retries: [Action] = []
        var retryArmed = false
        /// It is not answering now.
        var away = false
        /// It stopped answering at least once: a broken stream was the engine's doing.
        var wentAway = false
    }

    public init(remove: Bool, commit: CommitTarget?, interactive: Bool = false,
                engineWaitMilliseconds: Int64 = EngineWait.defaultBoundMilliseconds, health: HealthWatch? = nil) {
        self.health = health
        self.remove = remove
        self.commit = commit
        self.interactive = interactive
        engine = EngineContact(wait: EngineWait(boundMilliseconds: engineWaitMilliseconds))
    }

    public var phase: Phase {
        switch state {
        case .starting: .starting
        case .live(let live): live.stop == nil ? .running : .stopping
        case .sweeping: .sweeping
        case .committing: .committing
        case .removing: .removing
        case .done: .done
        }
    }

    /// True while dockrun's own stop of the live container is under way.
    public var stoppedByDockrun: Bool {
        if case .live(let live) = state { return live.stop != nil }
        return false
    }

    /// True once dockrun removed the container, or found none of the run after its client was killed (the user's
    /// cidfile then goes too).
    public var removedContainer: Bool {
        if case .done(let removed) = state { return removed }
        return false
    }

    /// `now`: the event loop's monotonic clock, in milliseconds (the engine's outage is measured by it).
    public mutating func handle(_ event: Event, at now: Int64) -> [Action] {
        switch event {
        case .waitReturned, .inspected, .stopFinished, .killFinished, .commitFinished, .removeFinished:
            return engineAnswers() + dispatch(event, at: now)
        default:
            return dispatch(event, at: now)
        }
    }

    private mutating func dispatch(_ event: Event, at now: Int64) -> [Action] {
        switch event {
        case .signal(let signal): return receive(signal)
        case .containerID(let id): return found(id)
        case .clientExited(let status): return clientExited(status)
        case .waitReturned(let result): return waitReturned(result)
        case .inspected(let result): return inspected(result)
        case .stopFinished(let ok): return stopFinished(ok: ok)
        case .killFinished(let signal, let ok): return killFinished(signal: signal, ok: ok)
        case .commitFinished(let ok, let message): return commitFinished(ok: ok, message: message)
        case .removeFinished(let ok, let message): return removeFinished(ok: ok, message: message)
        case .timerFired(.stopCheck): return stopCheckDue()
        case .engineUnreachable(let process): return engineUnreachable(process, at: now)
        case .timerFired(.engineRetry): return engineRetryDue()
        case .followerExited: return streamEnded(brokenByDocker: true)
        case .swept(let result): return swept(result)
        case .timerFired(.healthProbe): return healthSteps(health?.due() ?? [])
        case .healthProbed(let state): return healthSteps(health?.probed(state) ?? [])
        }
    }

    /// The live container's state, changed in place.
    private mutating func updateLive(_ change: (inout Live) -> Void) {
        guard case .live(var live) = state else { return }
        change(&live)
        state = .live(live)
    }

    // MARK: signals

    private mutating func receive(_ signal: Int32) -> [Action] {
        if signal == SIGQUIT && interactive { quitOnTerminal = true }
        // After the container's end is established there is nothing left to signal: a commit
        // or removal in progress runs to its end so that nothing is lost or leaked.
        switch state {
        case .starting(let held):
            state = .starting(held: held + [signal])
            return []
        case .live(let live):
            guard let id = containerID else { return [] }
            switch SignalTable.action(for: signal) {
            case .relay: return [.spawnKill(id, signal: signal)]
            case .drop: return []
            case .stop: break
            }
            guard let stop = live.stop else { return requestStop(id, signal: signal) }
            guard !stop.escalated else { return [] }
            updateLive { $0.stop?.escalated = true }
            return [.spawnKill(id, signal: nil)]
        default:
            return []
        }
    }

    private mutating func requestStop(_ id: ContainerID, signal: Int32 = SIGTERM) -> [Action] {
        updateLive { $0.stop = Stop(signal: signal) }
        return [.spawnStop(id)]
    }

    // MARK: the container and the client

    /// No `docker wait` is started: the attached client reports the container's end itself (see `clientExited`).
    private mutating func found(_ id: ContainerID) -> [Action] {
        guard case .starting(let held) = state else { return [] }
        containerID = id
        state = .live(Live())
        var actions: [Action] = [.tellGuardian(.container(id))]
        for signal in held { actions += receive(signal) }
        return actions + healthSteps(health?.due() ?? [])
    }

    private mutating func clientExited(_ status: ExitStatus) -> [Action] {
        guard client == nil else { return [] }
        client = status
        switch state {
        case .starting:
            if case .signaled(let signal) = status {
                // Killed, not failed: a create or start it had asked for may have landed or may still land.
                state = .sweeping(client: status)
                return [.writeMessage("docker client was killed (signal \(signal)) before its container was known; "
                                      + "looking for what it created by the run's label"), .sweep]
            }
            // docker failed before a container existed (its message is on stderr already): the client's code.
            state = .done(removed: false)
            return [.exit(status.code)]
        case .live:
            if let id = containerID, let reported = Self.containerCode(reportedBy: status, interactive: interactive) {
                // A kill (SIGKILL) or the kernel's OOM killer: `.State.OOMKilled` tells which (`inspected`).
                if reported == Self.killedCode { return streamEnded(brokenByDocker: false) }
                return finish(id: id, code: reported)
            }
            // 125 is the client's own failure: "error waiting for container: unexpected EOF" when the engine went away.
            // 2 after the terminal's QUIT is the client's death of it: the container runs on, and is followed.
            return streamEnded(brokenByDocker: status == .exited(125) || (quitOnTerminal && status == .exited(2)))
        default:
            return []
        }
    }

    /// The attached stream ended without telling the container's end: one short `docker inspect` says whether the
    /// container has ended, and how.
    private mutating func streamEnded(brokenByDocker: Bool) -> [Action] {
        guard case .live(let live) = state, let id = containerID else { return [] }
        updateLive {
            switch $0.stream {
            case .client: $0.stream = .client(broken: brokenByDocker)
            case .followed: $0.stream = .followed(broken: brokenByDocker)
            }
        }
        guard !live.inspecting else { return [.markStreamEnd] }
        updateLive { $0.inspecting = true }
        return [.markStreamEnd, .spawnInspect(id)]
    }

    /// What the container's state says after an ambiguous end of the stream.
    private mutating func inspected(_ result: InspectResult) -> [Action] {
        guard case .live(var live) = state, let id = containerID, let client else { return [] }
        live.inspecting = false
        state = .live(live)
        switch result {
        case .failed(let message) where EngineMessage.saysNoSuchContainer(message):
            // Someone removed it (`docker rm -f` by hand, another dockrun's --replace): the client's code.
            return finish(id: id, code: client.code, gone: true)
        case .failed(let message):
            return [.writeMessage("warning: docker inspect failed: \(message); using the docker client's exit code")]
                + finish(id: id, code: client.code)
        case .state(let container) where container.hasEnded && container.oomKilled && !live.outOfMemory:
            updateLive { $0.outOfMemory = true }
            return [.writeMessage("container \(id) was killed: out of memory"), .report(.outOfMemory)] + inspected(result)
        case .state(let container) where container.hasEnded:
            if case .followed = live.stream {
                // The followed output has all been shown: the container's code, not the broken client's 125.
                return finish(id: id, code: container.exitCode)
            }
            if live.stream.broken && (engine.wentAway || container.exitCode != client.code) {
                // The stream broke and the container ended meanwhile (during the engine's gap, or ended by its
                // restore): the output it wrote after the break is in the engine's log and is shown before its code.
                // (A container that itself exits 125 is that code: the client's 125 was no break.)
                return follow(id, "container \(id) ended (exit \(container.exitCode)) while its stream was broken; showing the output it missed")
            }
            return engineRecord(container.exitCode, id)
                + finish(id: id, code: Self.exitCode(wait: .code(container.exitCode), client: client))
        case .state(let container) where container.status == "created" && container.exitCode == 0:
            // Created, and its start never tried (a failed start leaves its own code, 126, 127 or 128): the client
            // failed between its create and its start, above all when the engine went away in between (it then
            // exits 1, "cannot connect to the Docker daemon"). The run is carried on as the client would have.
            if let stop = live.stop {
                // Asked to stop before it ever started: it is not started now. Its end is the stop's signal's,
                // as for a process killed by it before it did anything.
                return [.writeMessage("container \(id) was never started (the docker client exited with status "
                                      + "\(client.code) before starting it); not starting it, as it was asked to stop")]
                    + finish(id: id, code: 128 + stop.signal)
            }
            updateLive { $0.stream = .followed(broken: false) }
            return [.writeMessage("the docker client exited (status \(client.code)) before starting container \(id); starting it"),
                    .spawnStart(id)]
        case .state(let container) where container.status == "created":
            // Its start failed (the client has said why): the client's code.
            return finish(id: id, code: client.code)
        case .state where live.stream.broken:
            // The stream broke, not the container (the engine went away with live-restore, or the client lost its
            // connection): its output is followed again from where it broke, and its end is awaited as before.
            return follow(id, "the attached stream of container \(id) broke while it still runs; following its output again")
        case .state:
            // The client died, not the container. `docker wait` gives its code once it has stopped.
            if let stop = live.stop {
                if stop.inFlight { return [.spawnWait(id)] }
                updateLive { $0.stop?.inFlight = true }
                return [.spawnWait(id), .spawnStop(id)]
            }
            return [.writeMessage("docker client exited (status \(client.code)) while container \(id) was still running; stopping it"),
                    .spawnWait(id)] + requestStop(id)
        }
    }

    private mutating func follow(_ id: ContainerID, _ message: String) -> [Action] {
        updateLive { $0.stream = .followed(broken: false) }
        return [.writeMessage(message), .spawnFollow(id)]
    }

    /// The container's exit code when the client's own exit says it: an attached `docker run` exits with its
    /// container's code once the container has ended (and, with `--rm`, been removed). Not when the code may be the
    /// CLI's own failure (125, 126, 127, and 1: a request that failed, such as the attach of a client whose engine
    /// went away after the create), when the client died of a signal, or on a terminal, where it can detach.
    public static func containerCode(reportedBy client: ExitStatus, interactive: Bool) -> Int32? {
        guard !interactive, case .exited(let code) = client, !clientFailureCodes.contains(code) else { return nil }
        return code
    }

    /// The codes a `docker run` client also exits with for a failure of its own: one `docker inspect` tells.
    public static let clientFailureCodes: Set<Int32> = Set(dockerFailureCodes).union([1])

    /// The answer of the `docker wait` started once the client had died with the container still running.
    private mutating func waitReturned(_ result: WaitResult) -> [Action] {
        guard case .live = state, let id = containerID, let client else { return [] }
        // Gone (removed by someone else): the client's code stands, and there is nothing to warn about or remove.
        if result.saysNoSuchContainer { return finish(id: id, code: client.code, gone: true) }
        let code = Self.exitCode(wait: result, client: client)
        var actions: [Action] = []
        if case .failed(let message) = result {
            actions.append(.writeMessage("warning: docker wait failed: \(message); using the docker client's exit code"))
        }
        if case .code(let container) = result { actions += engineRecord(container, id) }
        return actions + finish(id: id, code: code)
    }

    /// A 255 from an engine that went away during the run is said: it is also containerd's "unknown exit status",
    /// what a live-restore engine records for a container that ended while it was away (docs/engine-observations.md),
    /// and not to be taken for the container's own code without a word. The code stays the engine's.
    private func engineRecord(_ code: Int32, _ id: ContainerID) -> [Action] {
        guard code == Self.unknownExitStatus, engine.wentAway else { return [] }
        return [.writeMessage("container \(id) ended with 255, the code the docker engine also gives a container "
                              + "that ended while it was away")]
    }

    /// containerd's exit status for a process whose end it did not see.
    public static let unknownExitStatus: Int32 = 255

    /// What the sweep after a killed client found: each container it tore down is said; the exit code stays the
    /// client's, as it would be without a container.
    private mutating func swept(_ result: SweepResult) -> [Action] {
        guard case .sweeping(let client) = state else { return [] }
        var actions: [Action] = []
        if let failure = result.listingFailed {
            actions.append(.writeMessage("warning: could not list the containers of this run: \(failure); one may be left behind"))
        }
        for found in result.found {
            switch found.outcome {
            case .absent: break
            case .stopped(removed: true): actions.append(.writeMessage("container \(found.id) removed"))
            case .stopped(removed: false): actions.append(.writeMessage("container \(found.id) kept (no --rm)"))
            case .failed(let message):
                actions.append(.writeMessage("warning: could not stop or remove container \(found.id): \(message)"))
            }
        }
        // Nothing of the run is left (all removed, or nothing found): the user's cidfile, empty, goes too.
        let nothingLeft = result.listingFailed == nil
            && result.outcomes.allSatisfy { $0 == .absent || $0 == .stopped(removed: true) }
        state = .done(removed: nothingLeft)
        return actions + [.exit(client.code)]
    }

    // MARK: health

    /// A container killed by SIGKILL, or by the kernel's OOM killer: the engine reports 137 for both.
    public static let killedCode: Int32 = 128 + SIGKILL

    /// What the health watch's steps mean for the live container (once dockrun stops it, it is watched no more).
    private mutating func healthSteps(_ steps: [HealthWatch.Step]) -> [Action] {
        guard case .live(let live) = state, live.stop == nil, let id = containerID else { return [] }
        var actions: [Action] = []
        for step in steps {
            switch step {
            case .probe: actions.append(.spawnHealthProbe(id))
            case .probeAfter(let delay): actions.append(.setTimer(.healthProbe, afterMilliseconds: delay))
            case .changed(let status): actions.append(.report(.health(status)))
            case .unhealthy: actions += unhealthy(id)
            case .missing:
                health?.end()
                endedByDockrun = 125
                let option = health?.onFailure == HealthFailureAction.none ? "--sdnotify=healthy"
                    : "--health-on-failure=\(health?.onFailure.rawValue ?? "")"
                actions.append(.writeMessage(DockrunError.noHealthCheck(option: option, reason: "container \(id) has none")
                    .message + "; stopping it"))
                actions += requestStop(id)
            }
        }
        return actions
    }

    /// `--health-on-failure`: the unhealthy container is killed or stopped (as a TERM would stop it), and dockrun
    /// exits `HealthFailureAction.exitCode` whatever the container's code then is.
    private mutating func unhealthy(_ id: ContainerID) -> [Action] {
        guard let action = health?.onFailure, action != .none else { return [] }
        health?.end()
        endedByDockrun = HealthFailureAction.exitCode
        let doing = action == .kill ? "killing" : "stopping"
        let message = Action.writeMessage("container \(id) is unhealthy; \(doing) it (--health-on-failure=\(action.rawValue))")
        guard action == .kill else { return [message] + requestStop(id) }
        // A kill that is followed by no end is repeated (`stopCheckDue`); a TERM meanwhile adds nothing.
        updateLive { $0.stop = Stop(signal: SIGKILL, inFlight: false, escalated: true) }
        return [message, .spawnKill(id, signal: nil)]
    }

    // MARK: stop and kill

    private mutating func stopFinished(ok: Bool) -> [Action] {
        guard case .live(let live) = state, let id = containerID else { return [] }
        updateLive { $0.stop?.inFlight = false }
        if !ok && live.stop?.escalated != true {
            updateLive { $0.stop?.escalated = true }
            return [.spawnKill(id, signal: nil)]
        }
        // A stop that reached a container created but not yet started succeeds and does
        // nothing, and the client starts it right after: check that the end follows.
        return [.setTimer(.stopCheck, afterMilliseconds: Self.stopCheckMilliseconds)]
    }

    private mutating func killFinished(signal: Int32?, ok: Bool) -> [Action] {
        guard signal == nil, case .live = state else { return [] }
        return [.setTimer(.stopCheck, afterMilliseconds: Self.stopCheckMilliseconds)]
    }

    /// A stop finished (or a kill) and the container's end did not follow within the check's time: a stop that
    /// reached a container created but not yet started, which the client then started. It is stopped again.
    private mutating func stopCheckDue() -> [Action] {
        guard case .live(let live) = state, let id = containerID, let stop = live.stop, !stop.inFlight else { return [] }
        if stop.escalated { return [.spawnKill(id, signal: nil)] }
        updateLive { $0.stop?.inFlight = true }
        return [.spawnStop(id)]
    }

    // MARK: an engine that does not answer

    /// The command is started again once the engine may answer (`EngineWait`'s schedule); a signal received
    /// meanwhile is applied the same way (its `docker stop` or `kill` fails and waits with the others).
    private mutating func engineUnreachable(_ process: DockerProcess, at now: Int64) -> [Action] {
        guard phase != .done, let id = containerID else { return [] }
        let retry: Action
        switch process {
        case .inspect: retry = .spawnInspect(id)
        case .wait: retry = .spawnWait(id)
        case .stop: retry = .spawnStop(id)
        case .kill(let signal): retry = .spawnKill(id, signal: signal)
        case .commit:
            guard let commit else { return [] }
            retry = .spawnCommit(id, commit)
        case .remove: retry = .spawnRemove(id)
        case .follow: retry = .spawnFollow(id)
        case .start: retry = .spawnStart(id)
        case .client: return []
        }
        engine.retries.append(retry)
        var actions: [Action] = []
        if !engine.away {
            engine.away = true
            engine.wentAway = true
            actions.append(.writeMessage("the docker engine is not answering; waiting for it"))
        }
        guard !engine.retryArmed else { return actions }
        switch engine.wait.unanswered(at: now) {
        case .retry(let delay):
            engine.retryArmed = true
            return actions + [.setTimer(.engineRetry, afterMilliseconds: delay)]
        case .giveUp(let waited):
            return actions + engineGaveUp(waited)
        }
    }

    private mutating func engineRetryDue() -> [Action] {
        engine.retryArmed = false
        defer { engine.retries = [] }
        return phase == .done ? [] : engine.retries
    }

    /// Any answer of the engine — a success or a refusal — ends an outage; a later one is waited for afresh.
    private mutating func engineAnswers() -> [Action] {
        guard engine.away else { return [] }
        engine.away = false
        engine.wait.answered()
        return [.writeMessage("the docker engine answers again")]
    }

    /// The engine has not answered within dockrun's bound (`DOCKRUN_ENGINE_WAIT`).
    private mutating func engineGaveUp(_ waited: Int64) -> [Action] {
        guard let id = containerID else { return [] }
        let lost = "the docker engine did not answer for \(waited / 1000) s"
        engine.retries = []
        // The container's code is known once only its removal is left: it stays dockrun's code.
        if case .removing(let code) = state {
            state = .done(removed: false)
            return [.writeMessage("warning: could not remove container \(id): \(lost)"), .exit(code)]
        }
        state = .done(removed: false)
        return [.writeMessage("\(lost); container \(id) may be left behind"), .exit(125)]
    }

    // MARK: the end: commit, remove, exit

    /// The codes with which the docker CLI reports its own failures rather than the container's:
    /// 125 (docker itself), 126 (command cannot be invoked), 127 (command not found).
    public static let dockerFailureCodes: ClosedRange<Int32> = 125...127

    /// The exit code: the container's, unless the client reported a failure of docker itself
    /// (125/126/127) that the container's code does not explain; the client's when wait failed.
    public static func exitCode(wait: WaitResult, client: ExitStatus) -> Int32 {
        guard case .code(let container) = wait else { return client.code }
        if case .exited(let code) = client, dockerFailureCodes.contains(code), code != container {
            return code
        }
        return container
    }

    /// The container's end is established: commit, remove (unless the engine already has), exit.
    /// `gone`: the container no longer exists (there is nothing to commit or remove).
    private mutating func finish(id: ContainerID, code: Int32, gone: Bool = false) -> [Action] {
        health?.end()
        let code = endedByDockrun ?? code
        if let commit, code == 0, !stoppedByDockrun, !gone {
            state = .committing(code: code)
            // Until the commit is known to have landed, a guardian must not remove the container.
            return [.tellGuardian(.committing), .spawnCommit(id, commit)]
        }
        return removeOrExit(id, code: code, gone: gone)
    }

    private mutating func removeOrExit(_ id: ContainerID, code: Int32, gone: Bool = false) -> [Action] {
        guard remove, !gone else {
            state = .done(removed: remove)
            return [.exit(code)]
        }
        state = .removing(code: code)
        return [.spawnRemove(id)]
    }

    private mutating func commitFinished(ok: Bool, message: String) -> [Action] {
        guard case .committing(let code) = state, let id = containerID else { return [] }
        if ok { return [.tellGuardian(.committed)] + removeOrExit(id, code: code) }
        // Nothing is lost: the container stays, even with --rm, so its files can be recovered.
        state = .done(removed: false)
        return [.writeMessage("commit failed: \(message); container \(id) kept"), .exit(125)]
    }

    private mutating func removeFinished(ok: Bool, message: String) -> [Action] {
        guard case .removing(let code) = state, let id = containerID else { return [] }
        // A container someone else removed first is removed all the same.
        let removed = ok || EngineMessage.saysNoSuchContainer(message)
        state = .done(removed: removed)
        if removed { return [.exit(code)] }
        return [.writeMessage("warning: could not remove container \(id): \(message)"), .exit(code)]
    }
}
