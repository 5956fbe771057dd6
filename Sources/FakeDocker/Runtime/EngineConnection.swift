import Foundation

/// A client's connection to the engine, as far as an engine restart can break it. There is no daemon to
/// be connected to: the connection is the promise that no restart (`fake-docker script --restart
/// --live-restore`) happened since it was made. Each restart appends a line to a file next to the state
/// (`STATE.restarts`), which a connection watches with inotify, so a waiting command is woken by it
/// without polling.
///
/// Made by the commands that keep a request open (an attached client, `wait`, `logs -f`, `stop`) when they
/// start waiting. A restart that began before that, and so is still in its down window, breaks the
/// connection at once: the request would have found the engine gone.
final class EngineConnection {
    /// How a wait ended: the awaited descriptor became readable, the time ran out, or the engine went away.
    enum WaitOutcome: Equatable { case ready, timedOut, lost }

    /// inotify, readable when the restart file changes; poll it together with what the command waits for.
    let watchFD: Int32
    private let restartsFD: Int32
    private let restartsAtConnect: Int
    private let downAtConnect: Bool

    init(store: StateStore) {
        let path = Self.restartsPath(store)
        restartsFD = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
        watchFD = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        // The watch first, then the size: a restart between the two shows as a larger file, not as nothing.
        _ = inotify_add_watch(watchFD, path, UInt32(IN_MODIFY))
        restartsAtConnect = Self.size(restartsFD)
        downAtConnect = Daemon(store: store).engineIsDown
    }

    deinit {
        close(watchFD)
        if restartsFD >= 0 { close(restartsFD) }
    }

    static func restartsPath(_ store: StateStore) -> String { store.path + ".restarts" }

    /// True once a restart has cut this connection; drains the watch so that the next poll blocks again.
    var isLost: Bool { downAtConnect || restartMark > restartsAtConnect }

    /// A mark of the restarts so far, larger after each one; drains the watch so that the next poll blocks again.
    /// The shim, which outlives restarts, compares marks to tell each one.
    var restartMark: Int {
        var scratch = [UInt8](repeating: 0, count: 4096)
        while read(watchFD, &scratch, scratch.count) > 0 {}
        return Self.size(restartsFD)
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

    /// The longest a poll that watches `watchFD` may block, in milliseconds (-1: no limit). Without a watch — the
    /// user's inotify instances are all in use (fs.inotify.max_user_instances, 128 by default, which a host running
    /// many containers reaches) — a restart is noticed by looking at the restarts file every 100 ms instead.
    func pollTimeout(_ milliseconds: Int32) -> Int32 {
        guard watchFD < 0 else { return milliseconds }
        let cap = Int32(Self.unwatchedSeconds * 1000)
        return milliseconds < 0 ? cap : min(milliseconds, cap)
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
