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
    /// The dockrun process's start time, in clock ticks after boot (field 22 of /proc/PID/stat): with `boot`, what
    /// tells that dockrun from a later process given the same PID.
    public static let pidStart = "io.dockrun.pid-start"
    /// The kernel's boot ID (/proc/sys/kernel/random/boot_id) when dockrun started.
    public static let boot = "io.dockrun.boot"
    /// The PID of the run's guardian and its start time in clock ticks after boot: while it lives, a dockrun that was
    /// killed is still being cleaned up after (the guardian's teardown, a commit it waits for).
    public static let guardianPID = "io.dockrun.guardian-pid"
    public static let guardianStart = "io.dockrun.guardian-start"
    /// `true` when the run had `--rm` (dockrun removes the container itself: the engine never knows), else `false`.
    public static let remove = "io.dockrun.remove"
}
