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

    public static let runKey = RunLabelKey.run
    public static let pidKey = RunLabelKey.pid
    public static let hostKey = RunLabelKey.host
    public static let startedKey = RunLabelKey.started

    public init(run: String, pid: Int32, host: String, started: String) {
        self.run = run
        self.pid = pid
        self.host = host
        self.started = started
    }

    /// `--label KEY=VALUE` for each, as `docker run` options.
    public var options: [String] {
        [(Self.runKey, run), (Self.pidKey, String(pid)), (Self.hostKey, host), (Self.startedKey, started)]
            .flatMap { ["--label", "\($0.0)=\($0.1)"] }
    }

    /// The `docker ps` filter that finds this run's container.
    public var filter: String { "label=\(Self.runKey)=\(run)" }
}
