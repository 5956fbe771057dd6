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
    public var firstErrorLine: String {
        let line = error.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        return line.isEmpty ? "docker exited with status \(status.code)" : line
    }
}

/// Stopping a container the way dockrun stops one, as a sequence of docker commands run one after the other:
/// `docker stop` (the container's own stop signal and timeout), `docker kill` if the stop failed, then `docker rm -f`
/// when asked. The guardian, `--cleanup` and `--replace` use it; the event loop does the same through `RunPolicy`
/// without blocking. The commands are run by the caller's `execute`, so every path is unit-tested without docker.
public enum Teardown {
    public enum Outcome: Equatable, Sendable {
        /// No container had that name or ID: nothing to do.
        case absent
        /// It is no longer running; `removed` says whether it is gone too.
        case stopped(removed: Bool)
        /// It may still run or still exist: the engine's message.
        case failed(String)
    }

    public static func run(_ target: String, remove: Bool, execute: (DockerCommand) -> DockerAnswer) -> Outcome {
        let stop = execute(.stop(target: target))
        if !stop.succeeded {
            if stop.saysNoSuchContainer { return .absent }
            let kill = execute(.kill(target: target, signal: nil))
            if !kill.succeeded && !kill.saysNotRunning {
                return kill.saysNoSuchContainer ? .absent : .failed(kill.firstErrorLine)
            }
        }
        guard remove else { return .stopped(removed: false) }
        let removal = execute(.remove(target: target))
        if removal.succeeded || removal.saysNoSuchContainer { return .stopped(removed: true) }
        return .failed(removal.firstErrorLine)
    }
}
