import Glibc
import ProcessSpawn

/// What `docker wait` answered: the container's exit code, or its first line of stderr.
public enum WaitResult: Equatable, Sendable {
    case code(Int32)
    case failed(String)
}

/// The decisions of dockrun, as a value: it takes the events the event loop observes and returns the
/// docker commands to start and when to exit. It spawns nothing, so every path is unit-tested.
public struct RunPolicy: Sendable {
    public enum Phase: Equatable, Sendable {
        /// `docker run` started; no container ID yet.
        case starting
        /// The container exists; `docker wait` is out.
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
        case stopFinished(ok: Bool)
        case killFinished(signal: Int32?, ok: Bool)
        case commitFinished(ok: Bool, message: String)
        case removeFinished(ok: Bool, message: String)
        /// The deadline of `.armWaitDeadline` passed before the container's end was established.
        case waitDeadlinePassed
    }

    public enum Action: Equatable, Sendable {
        case spawnWait(ContainerID)
        case spawnStop(ContainerID)
        case spawnKill(ContainerID, signal: Int32?)
        case spawnCommit(ContainerID, CommitTarget)
        case spawnRemove(ContainerID)
        /// Deliver `.waitDeadlinePassed` after the event loop's grace period unless the policy is done.
        case armWaitDeadline
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
    /// Whether the `docker wait` in flight was started after the client exited.
    private var waitStartedAfterClient = false
    /// An answer of a `docker wait` started while the client still ran, not yet confirmed.
    private var provisionalWait: WaitResult?
    /// The exit code, once the container's end is established.
    private var code: Int32 = 0

    public init(remove: Bool, commit: CommitTarget?) {
        self.remove = remove
        self.commit = commit
    }

    public mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .signal(let signal): return receive(signal)
        case .containerID(let id): return found(id)
        case .clientExited(let status): return clientExited(status)
        case .waitReturned(let result): return waitReturned(result)
        case .stopFinished(let ok): return stopFinished(ok: ok)
        case .killFinished(let signal, let ok): return killFinished(signal: signal, ok: ok)
        case .commitFinished(let ok, let message): return commitFinished(ok: ok, message: message)
        case .removeFinished(let ok, let message): return removeFinished(ok: ok, message: message)
        case .waitDeadlinePassed: return waitDeadlinePassed()
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

    private mutating func found(_ id: ContainerID) -> [Action] {
        guard phase == .starting else { return [] }
        containerID = id
        phase = .running
        waitInFlight = true
        var actions: [Action] = [.spawnWait(id)]
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
        if let answer = provisionalWait {
            provisionalWait = nil
            return waitReturned(answer)
        }
        var actions: [Action] = []
        if !waitInFlight { actions += startWait(afterClient: true) }
        return actions + [.armWaitDeadline]
    }

    /// `docker wait` answers at once for a container that is created but not yet started (its
    /// condition is "not running"), and the cidfile is written between create and start. So an
    /// answer that came while the client still ran is only trusted when the client's own exit
    /// code agrees; otherwise a new wait, started after the client exited, decides.
    private mutating func waitReturned(_ result: WaitResult) -> [Action] {
        waitInFlight = false
        guard containerLive, let id = containerID else { return [] }
        guard let client else {
            provisionalWait = result
            return []
        }
        if waitStartedAfterClient || result == .code(client.code) {
            return finish(id: id, wait: result, client: client)
        }
        return startWait(afterClient: true) + [.armWaitDeadline]
    }

    private mutating func startWait(afterClient: Bool) -> [Action] {
        guard let id = containerID else { return [] }
        waitInFlight = true
        waitStartedAfterClient = afterClient
        return [.spawnWait(id)]
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

    private mutating func waitDeadlinePassed() -> [Action] {
        guard containerLive, let id = containerID, !stopInFlight else { return [] }
        if stoppedByDockrun {
            return escalated ? [.spawnKill(id, signal: nil)] : [.spawnStop(id)]
        }
        guard let client else { return [] }
        return [.writeMessage("docker client exited (status \(client.code)) while container \(id) was still running; stopping it")]
            + requestStop(id)
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

    private mutating func finish(id: ContainerID, wait: WaitResult, client: ExitStatus) -> [Action] {
        code = Self.exitCode(wait: wait, client: client)
        var actions: [Action] = []
        if case .failed(let message) = wait {
            actions.append(.writeMessage("warning: docker wait failed: \(message); using the docker client's exit code"))
        }
        if let commit, code == 0, !stoppedByDockrun {
            phase = .committing
            return actions + [.spawnCommit(id, commit)]
        }
        return actions + removeOrExit(id)
    }

    private mutating func removeOrExit(_ id: ContainerID) -> [Action] {
        guard remove else {
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
        removedContainer = ok
        if ok { return [.exit(code)] }
        return [.writeMessage("warning: could not remove container \(id): \(message)"), .exit(code)]
    }
}
