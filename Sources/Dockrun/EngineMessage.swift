/// What the docker CLI's error messages say, read in one place: dockrun decides by them where an exit status
/// alone does not tell (every failure of `docker stop`, `rm`, `wait` or `inspect` exits 1).
public enum EngineMessage {
    /// The container does not exist (any more): `No such container: X` (stop, kill, rm, wait) or
    /// `No such object: X` (inspect).
    public static func saysNoSuchContainer(_ text: String) -> Bool {
        text.contains("No such container") || text.contains("No such object")
    }

    /// The engine did not answer: it is down (`Cannot connect to the Docker daemon at … Is the docker daemon
    /// running?`), or it went away while the request was open (`unexpected EOF`, `error during connect: … EOF`).
    public static func saysEngineUnreachable(_ text: String) -> Bool {
        text.contains("Cannot connect to the Docker daemon") || text.contains("Is the docker daemon running")
            || text.contains("error during connect") || text.contains("unexpected EOF")
            || text.contains("connection refused")
    }

    /// `docker kill` of a container that has already ended.
    public static func saysNotRunning(_ text: String) -> Bool { text.contains("is not running") }
}
