/// The keys of the labels dockrun puts on every container it starts (`Dockrun.RunLabels`), in one place for
/// the two programs that read them: dockrun finds its container by them, and fake-docker's scenario tool
/// finds the containers a run started and makes their values comparable between runs.
public enum RunLabelKey {
    /// 16 hex digits, new for every run.
    public static let run = "io.dockrun.run"
    /// The PID of the dockrun that started the container.
    public static let pid = "io.dockrun.pid"
    public static let host = "io.dockrun.host"
    /// RFC 3339, UTC, to the second.
    public static let started = "io.dockrun.started"
}
