import DockerSyntax
import Foundation

/// `docker logs [-f] [-t] [--since T] [--until T] [-n N] C`: the container's log entries, stdout's to stdout and
/// stderr's to stderr, in the order logged; with -f, then the new ones until the container stops.
enum LogsCommand {
    static let syntax = CommandSyntax(name: "logs", usage: "[OPTIONS] CONTAINER", flags: [
        FlagSpec(long: "follow", short: "f", takesValue: false), FlagSpec(long: "timestamps", short: "t", takesValue: false),
        FlagSpec(long: "tail", short: "n", takesValue: true), FlagSpec(long: "since", short: nil, takesValue: true),
        FlagSpec(long: "until", short: nil, takesValue: true), FlagSpec(long: "details", short: nil, takesValue: false), .help,
    ], minArguments: 1, exactArguments: true)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        // The CLI looks the container up before it reads --since and --until (a missing one wins).
        let c = try ctx.daemon.find(f.arguments[0])
        guard LogConfig(c.config.otherOptions).isReadable else {
            throw DockerError("Error response from daemon: configured logging driver does not support reading")
        }
        var view = try LogView(f, now: LogTime.now())
        let path = ctx.store.logPath(ofContainer: c.id)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        signal(SIGPIPE, SIG_IGN)
        let unstampedTime = LogTime(secondsSinceEpoch: c.createdAt)
        if let tail = view.tail {
            var counting = ContainerLog.Reader(fd: fd, unstampedTime: unstampedTime)
            var count = 0
            _ = counting.read { _ in count += 1; return true }
            view.skip = max(0, count - tail)
        }
        var reader = ContainerLog.Reader(fd: fd, unstampedTime: unstampedTime)
        /// Shows what was logged since the last call; false when nothing more is to be shown.
        func showNewEntries() -> Bool {
            let more = reader.read { view.show($0) }
            return view.flush() && more
        }
        // Follow: woken by inotify when the log grows, by the shim's pidfd when it exits, or when --until passes. The
        // watch is made before the first read: what is logged between the two wakes the follow, where it would
        // otherwise wait for the next write (an attached client's shell that answered and waits for more input).
        let follows = f.bool("follow")
        let watch = follows ? inotify_init1(Int32(IN_CLOEXEC)) : -1
        defer { if watch >= 0 { close(watch) } }
        if watch >= 0 { _ = inotify_add_watch(watch, path, UInt32(IN_MODIFY)) }
        guard showNewEntries() else { return 0 }
        guard follows, c.isRunning, !view.isOver(at: LogTime.now()),
              let shim = HostProcess.open(pid: c.shimPID, start: c.shimStart) else { return 0 }
        defer { close(shim) }
        // An engine restart ends the stream where it is, without the rest of the log.
        let connection = EngineConnection(store: ctx.store)
        // A container its policy restarts: the stream ends with the run, as the engine closes the log at each exit.
        let run = RestartPolicy.stored(c.config.restartPolicy).restarts ? HostProcess.open(pid: c.pid, start: c.pidStart) : nil
        defer { if let run { close(run) } }
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            if connection.isLost { throw EngineConnection.streamLost }
            var fds = [pollfd(fd: watch, events: Int16(POLLIN), revents: 0), pollfd(fd: shim, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: connection.watchFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: run ?? -1, events: Int16(POLLIN), revents: 0)]
            // Without an inotify instance for the log (the user's are all in use), it is looked at every 100 ms.
            var timeout = connection.pollTimeout(view.millisecondsLeft(at: LogTime.now()))
            if watch < 0 { timeout = HostProcess.pollTimeout(timeout, atMost: 100) }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { break }
            if fds[2].revents != 0 { continue }
            if fds[0].revents != 0 { _ = read(watch, &scratch, scratch.count) }
            guard showNewEntries() else { return 0 }
            if fds[1].revents != 0 || view.isOver(at: LogTime.now()) { break }
            if fds[3].revents != 0 {
                try ctx.daemon.waitForExitRecord(c, connection: connection)
                break
            }
        }
        _ = showNewEntries()
        return 0
    }
}
