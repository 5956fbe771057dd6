import ProcessSpawn

/// What one docker command, run to its end, answered.
public struct DockerAnswer: Equatable, Sendable {
    public var status: ExitStatus
    public var output: String
    public var error: String

    public init(status: ExitStatus, output: String = "", error: String = "") {
        self.status = status
        self.output = output
        self.error = error
    }

    public var succeeded: Bool { status == .exited(0) }
    /// The engine's answer for a name or ID that names no container (stop, kill, rm alike).
    public var saysNoSuchContainer: Bool { EngineMessage.saysNoSuchContainer(error) }
    public var saysNotRunning: Bool { EngineMessage.saysNotRunning(error) }
    /// The engine did not answer (see `EngineMessage.saysEngineUnreachable`).
    public var saysEngineUnreachable: Bool { !succeeded && EngineMessage.saysEngineUnreachable(error) }
    public var firstErrorLine: String {
        let line = error.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        return line.isEmpty ? "docker exited with status \(status.code)" : line
    }
}

/// Stopping a container the way dockrun stops one, as data: the steps (`docker stop` with the container's own stop
/// signal and timeout, `docker kill` if the stop failed, `docker rm -f` when asked) and what each answer means for the
/// next. A value: it runs nothing, so every path is unit-tested; `TeardownExecutor` runs it for the guardian,
/// `--cleanup` and `--replace`, waiting through an engine that does not answer.
public struct Teardown: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        case stop, kill, remove
    }

    public enum Outcome: Equatable, Sendable {
        /// No container had that name or ID: nothing to do.
        case absent
        /// It is no longer running; `removed` says whether it is gone too.
        case stopped(removed: Bool)
        /// It may still run or still exist: the engine's message.
        case failed(String)
    }

    public enum Next: Equatable, Sendable {
        case run(DockerCommand)
        case finished(Outcome)
    }

    /// The container's name or ID.
    public let target: String
    /// Whether the container is removed once it is stopped.
    public let remove: Bool
    /// The step whose answer is awaited.
    public private(set) var step: Step = .stop

    public init(target: String, remove: Bool) {
        self.target = target
        self.remove = remove
    }

    /// The command of the current step (the first: `docker stop`).
    public var command: DockerCommand {
        switch step {
        case .stop: .stop(target: target)
        case .kill: .kill(target: target, signal: nil)
        case .remove: .remove(target: target)
        }
    }

    /// What follows the engine's answer to the current step's command. An engine that does not answer is asked
    /// again by the executor (`EngineWait`); one that still does not answer past the bound ends the teardown.
    public mutating func answered(_ answer: DockerAnswer) -> Next {
        // The executor waited for the engine as long as it may: the container may still run.
        if answer.saysEngineUnreachable { return .finished(.failed(answer.firstErrorLine)) }
        switch step {
        case .stop where answer.succeeded:
            return removeOrFinish()
        case .stop:
            if answer.saysNoSuchContainer { return .finished(.absent) }
            step = .kill
            return .run(command)
        case .kill where answer.succeeded || answer.saysNotRunning:
            return removeOrFinish()
        case .kill:
            return .finished(answer.saysNoSuchContainer ? .absent : .failed(answer.firstErrorLine))
        case .remove where answer.succeeded || answer.saysNoSuchContainer:
            return .finished(.stopped(removed: true))
        case .remove:
            return .finished(.failed(answer.firstErrorLine))
        }
    }

    private mutating func removeOrFinish() -> Next {
        guard remove else { return .finished(.stopped(removed: false)) }
        step = .remove
        return .run(command)
    }
}
