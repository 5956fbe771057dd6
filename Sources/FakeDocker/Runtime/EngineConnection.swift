import Foundation

/// A client's connection to the engine, as far as an engine restart can break it. There is no daemon to
/// be connected to: the connection is the promise that no restart (`fake-docker script --restart
/// --live-restore`) happened since it was made. Each restart appends a line to a file next to the state
/// (`STATE.restarts`) and then rings a bell beside it (`STATE.restart-bell`, a FIFO): a connection holds the
/// FIFO's read end, and a writer's open and close of the other end hangs it up (POLLHUP) for every reader at
/// once, so a waiting command is woken without polling. Not inotify: closing an inotify instance that has a
/// watch waits for an SRCU grace period (fsnotify_destroy_group), 5–8 ms measured here, and a `run` closed two
/// (the client's and the shim's), each on the way to its exit (docs/benchmarks.md, issue 17).
///
/// Made by the commands that keep a request open (an attached client, `wait`, `logs -f`, `stop`) when they
/// start waiting. A restart that began before that, and so is still in its down window, breaks the
/// connection at once: the request would have found the engine gone.
final class EngineConnection {
    /// How a wait ended: the awaited descriptor became readable, the time ran out, or the engine went away.
    enum WaitOutcome: Equatable { case ready, timedOut, lost }

    /// The bell's read end, hung up (readable) once a restart rang it; poll it together with what the command waits
    /// for. -1 without a bell (it could not be made or opened): the restarts file is then looked at on a timer.
    private(set) var watchFD: Int32
    private let bellPath: String
    private let restartsFD: Int32
    private let restartsAtConnect: Int
    private let downAtConnect: Bool

    init(store: StateStore) {
        restartsFD = open(Self.restartsPath(store), O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
        bellPath = Self.bellPath(store)
        // The bell first, then the size: a restart between the two shows as a larger file, not as nothing (a restart
        // appends its line before it rings).
        watchFD = Self.openBell(bellPath)
        restartsAtConnect = Self.size(restartsFD)
        downAtConnect = Daemon(store: store).engineIsDown
    }

    deinit {
        if watchFD >= 0 { close(watchFD) }
        if restartsFD >= 0 { close(restartsFD) }
    }

    static func restartsPath(_ store: StateStore) -> String { store.path + ".restarts" }
    static func bellPath(_ store: StateStore) -> String { store.path + ".restart-bell" }

    /// Wakes every open connection, after a restart's line is in the restarts file: opening the FIFO for writing
    /// (refused when no connection listens) and closing it again hangs it up for each reader.
    static func ringBell(_ store: StateStore) {
        let fd = open(bellPath(store), O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        if fd >= 0 { close(fd) }
    }

    /// The bell's read end, the FIFO made when missing. Opened without blocking, a FIFO that no writer has opened
    /// since is not hung up (Linux keeps POLLHUP back until a writer has come and gone).
    private static func openBell(_ path: String) -> Int32 {
        if mkfifo(path, 0o600) < 0 && errno != EEXIST { return -1 }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        var st = stat()
        // Anything but a FIFO would be readable at once, and for ever.
        if fd >= 0 && (fstat(fd, &st) != 0 || st.st_mode & S_IFMT != S_IFIFO) {
            close(fd)
            return -1
        }
        return fd
    }

    /// True once a restart has cut this connection; re-arms the bell so that the next poll blocks again.
    var isLost: Bool { downAtConnect || restartMark > restartsAtConnect }

    /// A mark of the restarts so far, larger after each one; re-arms the bell so that the next poll blocks again.
    /// The shim, which outlives restarts, compares marks to tell each one.
    var restartMark: Int {
        rearmBell()
        return Self.size(restartsFD)
    }

    /// A hung-up FIFO stays hung up: the read end is opened afresh, in the same descriptor (pollers hold its
    /// number), when it has been rung.
    private func rearmBell() {
        guard watchFD >= 0 else { return }
        var p = pollfd(fd: watchFD, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return }
        let fresh = Self.openBell(bellPath)
        if fresh >= 0 && dup2(fresh, watchFD) >= 0 {
            close(fresh)
            return
        }
        if fresh >= 0 { close(fresh) }
        close(watchFD)
        watchFD = -1
    }

    /// Blocks until `fd` is readable, `timeout` seconds pass (nil: no limit), or the engine restarts.
    func wait(for fd: Int32, timeout: Double?) -> WaitOutcome {
        let deadline = timeout.map { monotonicNow() + $0 }
        while true {
            if isLost { return .lost }
            // Without a watch, the restarts file is looked at on each short wake.
            let step = watchFD >= 0 ? deadline : min(deadline ?? .infinity, monotonicNow() + Self.unwatchedSeconds)
            switch HostProcess.pollReadable([fd, watchFD], until: step) {
            case nil where step == deadline: return .timedOut
            case nil: continue
            case 0?: return isLost ? .lost : .ready
            default: continue
            }
        }
    }

    /// The longest a poll that watches `watchFD` may block, in milliseconds (-1: no limit). Without a bell — the FIFO
    /// cannot be made or opened (a file system without FIFOs, no descriptor left) — a restart is noticed by looking at
    /// the restarts file every 100 ms instead.
    func pollTimeout(_ milliseconds: Int32) -> Int32 {
        watchFD < 0 ? HostProcess.pollTimeout(milliseconds, atMost: Int32(Self.unwatchedSeconds * 1000)) : milliseconds
    }

    private static let unwatchedSeconds = 0.1

    private static func size(_ fd: Int32) -> Int {
        var st = stat()
        return fd >= 0 && fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    // MARK: What the docker CLI prints when its connection to the engine breaks (docs/engine-observations.md)

    /// An attached `docker run`/`start -a`: a logrus line in local time; the CLI then exits 125.
    static func attachLostMessage() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = .current
        return "time=\"\(formatter.string(from: Date()))\" level=error msg=\"error waiting for container: unexpected EOF\""
    }
    static let attachLostExitCode: Int32 = 125

    /// `docker wait` and `docker logs -f`: the response body ended early (exit 1).
    static let streamLost = DockerError("unexpected EOF")

    /// `docker stop` (and any request whose response never came): the request as the CLI sent it, with the
    /// socket path percent-encoded as the host, e.g. `Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.41/…": EOF`.
    static func requestLost(method: String, path: String, host: String) -> DockerError {
        let authority = host.hasPrefix("unix://")
            ? String(host.dropFirst("unix://".count)).replacingOccurrences(of: "/", with: "%2F")
            : String(host.drop(while: { $0 != "/" }).dropFirst(2))
        return DockerError("error during connect: \(method) \"http://\(authority)/v\(VersionCommand.apiVersion)\(path)\": EOF")
    }
}
