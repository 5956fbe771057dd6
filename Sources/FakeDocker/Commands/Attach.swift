import CProcess
import DockerSyntax
import Foundation
import ProcessSpawn

/// `docker attach`: a client attached to a running container, as Engine 20.10 and CLI 28.2 attach one
/// (docs/engine-observations.md, "cp, export, attach"): the output from then on, stdout's to stdout and stderr's to
/// stderr, signals as an attached `run` treats them (AttachedSession: forwarded with `--sig-proxy`, the default, but
/// not for a `-t` container, as the CLI), and the container's exit code when it ends. A stopped, paused or
/// restarting container is refused with the daemon's words.
///
/// The shim, spawned by the start, holds no descriptor of a later client: the output comes from the container's log,
/// followed by a process of the engine's (`__attach`, as `logs -f` from the attach on) that ends with the container's
/// exit code, which the session waits for as it waits for a start's shim.
/// The client's stdin (unless `--no-stdin`) goes to a `-i` container's stdin FIFO (ContainerStdin); with `-t` the
/// engine's detach keys end the client (`read escape sequence`, 1) and leave the container running; at the end of the
/// stdin the client shows nothing more and waits for the exit, as the engine closes the attach's output then.
/// A `-t` container's terminal takes the size of the client's when it attaches and at each WINCH, as the CLI resizes it.
enum AttachCommand {
    static let syntax = CommandSyntax(name: "attach", usage: "[OPTIONS] CONTAINER", flags: [
        FlagSpec(long: "detach-keys", short: nil, takesValue: true), FlagSpec(long: "no-stdin", short: nil, takesValue: false),
        FlagSpec(long: "sig-proxy", short: nil, takesValue: false), .help,
    ], minArguments: 1, exactArguments: true)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        var c = try ctx.daemon.find(f.arguments[0])
        switch c.status {
        case .paused: throw DockerError("You cannot attach to a paused container, unpause it first")
        case .restarting: throw DockerError("You cannot attach to a restarting container, wait until it is running")
        case .running: break
        default: throw DockerError("You cannot attach to a stopped container, start it first")
        }
        let stdin = !f.has("no-stdin") && c.config.openStdin
        // The CLI's own check, whatever the container's OpenStdin.
        if c.config.tty && !f.has("no-stdin") && isatty(0) != 1 { throw DockerError("the input device is not a TTY") }
        let text = f.last("detach-keys").flatMap { $0.isEmpty ? nil : $0 } ?? DetachKeys.defaultKeys
        // The daemon refuses keys it cannot read, with any container: the CLI reports the refused upgrade (400).
        guard let keys = DetachKeys(text) else { throw DockerError("unable to upgrade to tcp, received 400") }
        // The engine looks for them only in a terminal's input.
        let detachKeys = stdin && c.config.tty ? keys : nil
        let since = LogTime.now().nanoseconds
        let proxy = (f.has("sig-proxy") ? f.bool("sig-proxy") : true) && !c.config.tty
        let signalFD = AttachedSession.blockSignals(proxy: proxy)
        let connection = EngineConnection(store: ctx.store)
        // The client's terminal goes raw only when its stdin is passed on.
        c.config.attachStdin = false
        var input: AttachedSession.ForwardedInput?
        if stdin, let fd = ContainerStdin.openForWriting(c.id, store: ctx.store) {
            c.config.attachStdin = true
            input = .init(fd: fd, detachKeys: detachKeys, silence: { follower in
                kill(follower, SIGKILL)
                while waitpid(follower, nil, 0) < 0 && errno == EINTR {}
                return (try? spawnFollower(c.id, since: nil, store: ctx.store)) ?? -1
            })
        }
        let follower = try spawnFollower(c.id, since: since, store: ctx.store)
        // As the CLI resizes a `-t` container to the terminal on its stdout when it attaches, and at each WINCH.
        let resize: (() -> Void)? = c.config.tty ? { [pid = c.pid] in resizeTerminal(ofProcess: pid) } : nil
        resize?()
        return AttachedSession(container: c, shimPID: follower, store: ctx.store, signalFD: signalFD,
                               proxiedSignals: proxy, connection: connection, input: input, resize: resize).run()
    }

    /// Gives the terminal of the container's process (its first standard descriptor that is one: the pseudo-terminal
    /// the shim made) the size of the client's, when the client's stdout is a terminal.
    static func resizeTerminal(ofProcess pid: pid_t) {
        guard pid > 0, let size = Shim.clientTerminalSize() else { return }
        for n in 0...2 {
            let fd = open("/proc/\(pid)/fd/\(n)", O_RDWR | O_NOCTTY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if isatty(fd) == 1 { _ = cp_tty_set_winsize(fd, size.rows, size.columns); return }
        }
    }

    /// The follower (below) of the log from `since` on; without `since` it shows nothing and answers the exit.
    private static func spawnFollower(_ id: String, since: Int64?, store: StateStore) throws(DockerError) -> pid_t {
        var argv = [Launcher.selfExecutable(), "__attach", id, "--state", store.path]
        if let since {
            argv += ["--since", "\(since / 1_000_000_000).\(String(format: "%09d", since % 1_000_000_000))"]
        }
        // The follower writes to the client's streams: it ends with the client (a third TERM leaves the container).
        var options = SpawnOptions()
        options.deathSignal = SIGKILL
        do { return try spawnProcess(argv[0], argv: argv, options) } catch {
            throw DockerError.daemon("\(error)")
        }
    }

    /// The follower (`__attach ID --state PATH [--since T]`): the log from T on until the container stops (nothing
    /// without T), then its exit code as this process's.
    static func follow(_ args: [String], store: StateStore) -> Int32 {
        guard let id = args.first else { return 125 }
        let ctx = Context(store: store, environment: ProcessInfo.processInfo.environment)
        do throws(DockerError) {
            if let i = args.firstIndex(of: "--since"), i + 1 < args.count {
                _ = try LogsCommand.execute(["--follow", "--since", args[i + 1], id], ctx)
            }
            return try ctx.daemon.waitForExit(id)
        } catch {
            Output.err(error.message)
            return 1
        }
    }
}
