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

/// The decisions of dockrun, as a value: it takes the events the event loop observes and returns the
/// docker commands to start and when to exit. It spawns nothing, so every path is unit-tested.
public struct RunPolicy: Sendable {
    public enum Phase: Equatable, Sendable {
        /// `docker run` started; no container ID yet.
        case starting
        /// The container exists; its client is attached to it.
        case running
        /// dockrun has asked docker to stop it (a signal, or the client died).
        case stopping
        case committing
        case removing
        case done
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
        /// The deadline of `.armWaitDeadline` passed before the container's end was established.
        case waitDeadlinePassed
        /// A docker command ended because the engine did not answer (it is down or went away mid-request).
        case engineUnreachable(DockerProcess)
        /// The delay of `.awaitEngine` has passed: time to ask again.
        case engineRetryDue
        /// The engine has not answered within dockrun's bound (`DOCKRUN_ENGINE_WAIT`).
        case engineGaveUp(waitedMilliseconds: Int64)
        /// `docker logs --follow` of a re-attached container ended: the container ended, or the engine went away.
        case followerExited
    }

    public enum Action: Equatable, Sendable {
        case spawnWait(ContainerID)
        case spawnInspect(ContainerID)
        case spawnStop(ContainerID)
        case spawnKill(ContainerID, signal: Int32?)
        case spawnCommit(ContainerID, CommitTarget)
        case spawnRemove(ContainerID)
        /// Deliver `.waitDeadlinePassed` after the event loop's grace period unless the policy is done.
        case armWaitDeadline
        /// Stream the container's output again from where the attached stream broke: `docker logs --follow --since`.
        case spawnFollow(ContainerID)
        /// Deliver `.engineRetryDue` after the next delay of `EngineWait` (or `.engineGaveUp` past its bound).
        case awaitEngine
        /// The engine answered again: `EngineWait` starts afresh for a later outage.
        case engineAnswered
        case writeMessage(String)
        case exit(Int32)
    }

    /// TERM and INT ask for a stop; these are relayed to the container as they are.
    public static let relayedSignals: Set<Int32> = [SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]
    public static let stopSignals: Set<Int32> = [SIGTERM, SIGINT]
    /// Every signal dockrun takes over from its first instruction.
    public static var supervisedSignals: [Int32] { Array(stopSignals.union(relayedSignals)).sorted() }

    public let remove: Bool
    public let commit: CommitTarget?
    /// The client runs on a terminal, where it can detach (`--detach-keys`) and exit 0 while the container runs on:
    /// none of its exits is taken as the container's end.
    public let interactive: Bool

    public private(set) var phase: Phase = .starting
    public private(set) var containerID: ContainerID?
    public private(set) var client: ExitStatus?
    /// True once dockrun itself asked docker to stop or kill the container: no commit then.
    public private(set) var stoppedByDockrun = false
    /// True once dockrun removed the container (the user's cidfile then goes too).
    public private(set) var removedContainer = false

    /// Signals received before the container existed, replayed in order once it does.
    private var heldSignals: [Int32] = []
    private var stopInFlight = false
    private var escalated = false
    private var waitInFlight = false
    private var inspectInFlight = false
    /// The attached stream (the client, or a follower after a re-attach) ended by a failure of docker's own while the
    /// container may run on: a container found running is then followed again, not stopped.
    private var streamBroken = false
    /// The container's output was followed again after the stream broke: its end is the container's, whatever the
    /// broken client said.
    private var reattached = false
    /// The engine did not answer; these commands are started again once it may.
    private var retries: [Action] = []
    private var engineAway = false
    /// The engine stopped answering at least once: a broken stream was the engine's doing.
    private var engineWentAway = false
    private var retryArmed = false
    /// The exit code, once the container's end is established.
    private var code: Int32 = 0

    public init(remove: Bool, commit: CommitTarget?, interactive: Bool = false) {
        self.remove = remove
        self.commit = commit
        self.interactive = interactive
    }


    public mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .waitReturned, .inspected, .stopFinished, .killFinished, .commitFinished, .removeFinished:
            return engineAnswers() + dispatch(event)
        default:
            return dispatch(event)
        }
    }

    private mutating func dispatch(_ event: Event) -> [Action] {
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
        case .waitDeadlinePassed: return waitDeadlinePassed()
        case .engineUnreachable(let process): return engineUnreachable(process)
        case .engineRetryDue: return engineRetryDue()
        case .engineGaveUp(let waited): return engineGaveUp(waited)
        case .followerExited: return streamEnded(brokenByDocker: true)
        }
    }

    private var containerLive: Bool { phase == .running || phase == .stopping }

    // MARK: signals

    private mutating func receive(_ signal: Int32) -> [Action] {
        if phase == .starting {
            heldSignals.append(signal)
            return []
        }
        // After the container's end is established there is nothing left to signal: a commit
        // or removal in progress runs to its end so that nothing is lost or leaked.
        guard containerLive, let id = containerID else { return [] }
        if Self.relayedSignals.contains(signal) { return [.spawnKill(id, signal: signal)] }
        guard Self.stopSignals.contains(signal) else { return [] }
        if !stoppedByDockrun { return requestStop(id) }
        if !escalated {
            escalated = true
            return [.spawnKill(id, signal: nil)]
        }
        return []
    }

    private mutating func requestStop(_ id: ContainerID) -> [Action] {
        stoppedByDockrun = true
        phase = .stopping
        stopInFlight = true
        return [.spawnStop(id)]
    }

    // MARK: the container and the client

    /// No `docker wait` is started: the attached client reports the container's end itself (see `clientExited`).
    private mutating func found(_ id: ContainerID) -> [Action] {
        guard phase == .starting else { return [] }
        containerID = id
        phase = .running
        var actions: [Action] = []
        let held = heldSignals
        heldSignals = []
        for signal in held { actions += receive(signal) }
        return actions
    }

    private mutating func clientExited(_ status: ExitStatus) -> [Action] {
        guard client == nil else { return [] }
        client = status
        guard containerLive else {
            // docker failed before a container existed (its message is on stderr already), or
            // a held stop found nothing to stop: the client's code is the answer.
            if phase == .starting {
                phase = .done
                return [.exit(status.code)]
            }
            return []
        }
        if let id = containerID, let reported = Self.containerCode(reportedBy: status, interactive: interactive) {
            return finish(id: id, code: reported)
        }
        // 125 is the client's own failure: "error waiting for container: unexpected EOF" when the engine went away.
        return streamEnded(brokenByDocker: status == .exited(125))
    }

    /// The attached stream ended without telling the container's end: one short `docker inspect` says whether the
    /// container has ended, and how.
    private mutating func streamEnded(brokenByDocker: Bool) -> [Action] {
        streamBroken = brokenByDocker
        guard containerLive, let id = containerID, !inspectInFlight else { return [] }
        inspectInFlight = true
        return [.spawnInspect(id)]
    }

    /// What the container's state says after an ambiguous end of the client.
    private mutating func inspected(_ result: InspectResult) -> [Action] {
        inspectInFlight = false
        guard containerLive, let id = containerID, let client else { return [] }
        switch result {
        case .failed(let message) where EngineMessage.saysNoSuchContainer(message):
            // Someone removed it (`docker rm -f` by hand, another dockrun's --replace): the client's code.
            return finish(id: id, code: client.code, gone: true)
        case .failed(let message):
            return [.writeMessage("warning: docker inspect failed: \(message); using the docker client's exit code")]
                + finish(id: id, code: client.code)
        case .state(let state) where state.hasEnded && reattached:
            // The followed output has all been shown: the container's code, not the broken client's 125.
            return finish(id: id, code: state.exitCode)
        case .state(let state) where state.hasEnded && streamBroken && (engineWentAway || state.exitCode != client.code):
            // The stream broke and the container ended meanwhile (during the engine's gap, or ended by its restore):
            // the output it wrote after the break is in the engine's log and is shown before its code is.
            // (A container that itself exits 125 is that code: the client's 125 was no break.)
            streamBroken = false
            reattached = true
            return [.writeMessage("container \(id) ended (exit \(state.exitCode)) while its stream was broken; showing the output it missed"),
                    .spawnFollow(id)]
        case .state(let state) where state.hasEnded:
            return finish(id: id, code: Self.exitCode(wait: .code(state.exitCode), client: client))
        case .state(let state) where state.status == "created":
            // It never ran (a failed start, or a client that died before starting it): the client's code.
            return finish(id: id, code: client.code)
        case .state where streamBroken:
            // The stream broke, not the container (the engine went away with live-restore, or the client lost its
            // connection): its output is followed again from where it broke, and its end is awaited as before.
            streamBroken = false
            reattached = true
            return [.writeMessage("the attached stream of container \(id) broke while it still runs; following its output again"),
                    .spawnFollow(id)]
        case .state:
            // The client died, not the container. `docker wait` gives its code once it has stopped.
            waitInFlight = true
            if stoppedByDockrun { return [.spawnWait(id)] + (stopInFlight ? [] : [.spawnStop(id)]) }
            return [.writeMessage("docker client exited (status \(client.code)) while container \(id) was still running; stopping it"),
                    .spawnWait(id)] + requestStop(id)
        }
    }

    /// The container's exit code when the client's own exit says it: an attached `docker run` exits with its
    /// container's code once the container has ended (and, with `--rm`, been removed). Not when the code may be the
    /// CLI's own failure (125, 126, 127), when the client died of a signal, or on a terminal, where it can detach.
    public static func containerCode(reportedBy client: ExitStatus, interactive: Bool) -> Int32? {
        guard !interactive, case .exited(let code) = client, !dockerFailureCodes.contains(code) else { return nil }
        return code
    }

    /// The answer of the `docker wait` started once the client had died with the container still running.
    private mutating func waitReturned(_ result: WaitResult) -> [Action] {
        waitInFlight = false
        guard containerLive, let id = containerID, let client else { return [] }
        // Gone (removed by someone else): the client's code stands, and there is nothing to warn about or remove.
        if result.saysNoSuchContainer { return finish(id: id, code: client.code, gone: true) }
        let code = Self.exitCode(wait: result, client: client)
        var actions: [Action] = []
        if case .failed(let message) = result {
            actions.append(.writeMessage("warning: docker wait failed: \(message); using the docker client's exit code"))
        }
        return actions + finish(id: id, code: code)
    }

    // MARK: stop and kill

    private mutating func stopFinished(ok: Bool) -> [Action] {
        stopInFlight = false
        guard containerLive, let id = containerID else { return [] }
        if !ok && !escalated {
            escalated = true
            return [.spawnKill(id, signal: nil)]
        }
        // A stop that reached a container created but not yet started succeeds and does
        // nothing, and the client starts it right after: check that the end follows.
        return [.armWaitDeadline]
    }

    private mutating func killFinished(signal: Int32?, ok: Bool) -> [Action] {
        guard signal == nil, containerLive else { return [] }
        return [.armWaitDeadline]
    }

    /// A stop finished (or a kill) and the container's end did not follow within the grace: a stop that reached
    /// a container created but not yet started, which the client then started. It is stopped again.
    private mutating func waitDeadlinePassed() -> [Action] {
        guard containerLive, let id = containerID, !stopInFlight, stoppedByDockrun else { return [] }
        return escalated ? [.spawnKill(id, signal: nil)] : [.spawnStop(id)]
    }

    // MARK: an engine that does not answer

    /// The command is started again once the engine may answer; a signal received meanwhile is applied the same way
    /// (its `docker stop` or `kill` fails and waits with the others).
    private mutating func engineUnreachable(_ process: DockerProcess) -> [Action] {
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
        case .client, .follow: return []
        }
        retries.append(retry)
        var actions: [Action] = []
        if !engineAway {
            engineAway = true
            engineWentAway = true
            actions.append(.writeMessage("the docker engine is not answering; waiting for it"))
        }
        if !retryArmed {
            retryArmed = true
            actions.append(.awaitEngine)
        }
        return actions
    }

    private mutating func engineRetryDue() -> [Action] {
        retryArmed = false
        defer { retries = [] }
        return phase == .done ? [] : retries
    }

    /// Any answer of the engine — a success or a refusal — ends an outage.
    private mutating func engineAnswers() -> [Action] {
        guard engineAway else { return [] }
        engineAway = false
        return [.engineAnswered, .writeMessage("the docker engine answers again")]
    }

    private mutating func engineGaveUp(_ waited: Int64) -> [Action] {
        guard phase != .done, let id = containerID else { return [] }
        let lost = "the docker engine did not answer for \(waited / 1000) s"
        retries = []
        let removing = phase == .removing
        phase = .done
        // The container's code is known once only its removal is left: it stays dockrun's code.
        if removing { return [.writeMessage("warning: could not remove container \(id): \(lost)"), .exit(code)] }
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
        self.code = code
        if let commit, code == 0, !stoppedByDockrun, !gone {
            phase = .committing
            return [.spawnCommit(id, commit)]
        }
        return removeOrExit(id, gone: gone)
    }

    private mutating func removeOrExit(_ id: ContainerID, gone: Bool = false) -> [Action] {
        guard remove, !gone else {
            removedContainer = remove
            phase = .done
            return [.exit(code)]
        }
        phase = .removing
        return [.spawnRemove(id)]
    }

    private mutating func commitFinished(ok: Bool, message: String) -> [Action] {
        guard phase == .committing, let id = containerID else { return [] }
        if ok { return removeOrExit(id) }
        // Nothing is lost: the container stays, even with --rm, so its files can be recovered.
        phase = .done
        return [.writeMessage("commit failed: \(message); container \(id) kept"), .exit(125)]
    }

    private mutating func removeFinished(ok: Bool, message: String) -> [Action] {
        guard phase == .removing, let id = containerID else { return [] }
        phase = .done
        // A container someone else removed first is removed all the same.
        removedContainer = ok || EngineMessage.saysNoSuchContainer(message)
        if removedContainer { return [.exit(code)] }
        return [.writeMessage("warning: could not remove container \(id): \(message)"), .exit(code)]
    }
}
