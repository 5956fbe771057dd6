import DockerSyntax

/// What marks a container as dockrun's: labels saying which run of which dockrun on which host started it, so a
/// container left behind by a dockrun that could not clean up (its whole control group killed) can be found
/// (`docker ps -a --filter label=io.dockrun.run`) and told apart from one whose dockrun still runs.
public struct RunLabels: Equatable, Sendable {
    /// 16 hex digits, new for every run: the guardian finds the container by it when the cidfile never filled.
    public let run: String
    public let pid: Int32
    public let host: String
    /// RFC 3339, UTC, to the second.
    public let started: String
    /// dockrun's own boot ID and start time, which tell it from a later process given its PID (`dockrun reap`); nil
    /// when /proc could not say.
    public let identity: ProcessIdentity?
    /// Whether the run had `--rm`: docker is never given it, so only this label tells `dockrun reap`.
    public let remove: Bool
    /// The guardian's PID and start time (`guarded(by:startTicks:)`), once it runs: `dockrun reap` leaves the container
    /// of a killed dockrun to its guardian while that lives.
    public private(set) var guardianPID: Int32?
    public private(set) var guardianStart: UInt64?

    public static let runKey = RunLabelKey.run
    public static let pidKey = RunLabelKey.pid
    public static let hostKey = RunLabelKey.host
    public static let startedKey = RunLabelKey.started

    public init(run: String, pid: Int32, host: String, started: String, identity: ProcessIdentity? = nil,
                remove: Bool = false) {
        self.run = run
        self.pid = pid
        self.host = host
        self.started = started
        self.identity = identity
        self.remove = remove
    }

    /// `--label KEY=VALUE` for each, as `docker run` options.
    public var options: [String] {
        var labels = [(Self.runKey, run), (Self.pidKey, String(pid)), (Self.hostKey, host), (Self.startedKey, started)]
        if let identity {
            labels += [(RunLabelKey.pidStart, String(identity.startTicks)), (RunLabelKey.boot, identity.boot)]
        }
        labels.append((RunLabelKey.remove, String(remove)))
        if let guardianPID, let guardianStart {
            labels += [(RunLabelKey.guardianPID, String(guardianPID)),
                       (RunLabelKey.guardianStart, String(guardianStart))]
        }
        return labels.flatMap { ["--label", "\($0.0)=\($0.1)"] }
    }

    /// These labels, with the guardian's PID and start time.
    public func guarded(by pid: Int32, startTicks: UInt64) -> RunLabels {
        var labels = self
        (labels.guardianPID, labels.guardianStart) = (pid, startTicks)
        return labels
    }

    /// The `docker ps` filter that finds this run's container.
    public var filter: String { "label=\(Self.runKey)=\(run)" }
}
