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
/// Not yet as docker's: the client's stdin is not passed on (`--no-stdin` is the only way), so neither are the detach
/// keys (`--detach-keys`, ctrl-p ctrl-q), and a `-t` container's terminal does not take the client's size.
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
        let since = LogTime.now().nanoseconds
        let proxy = (f.has("sig-proxy") ? f.bool("sig-proxy") : true) && !c.config.tty
        let signalFD = AttachedSession.blockSignals(proxy: proxy)
        let connection = EngineConnection(store: ctx.store)
        let argv = [Launcher.selfExecutable(), "__attach", c.id, "--state", ctx.store.path,
                    "--since", "\(since / 1_000_000_000).\(String(format: "%09d", since % 1_000_000_000))"]
        // The follower writes to the client's streams: it ends with the client (a third TERM leaves the container).
        var options = SpawnOptions()
        options.deathSignal = SIGKILL
        let follower: pid_t
        do { follower = try spawnProcess(argv[0], argv: argv, options) } catch {
            throw DockerError.daemon("\(error)")
        }
        // Nothing is read from the client's stdin, so its terminal is left as it is.
        c.config.attachStdin = false
        return AttachedSession(container: c, shimPID: follower, store: ctx.store, signalFD: signalFD,
                               proxiedSignals: proxy, connection: connection).run()
    }

    /// The follower (`__attach ID --state PATH --since T`): the log from T on until the container stops, then its
    /// exit code as this process's.
    static func follow(_ args: [String], store: StateStore) -> Int32 {
        guard let id = args.first, let i = args.firstIndex(of: "--since"), i + 1 < args.count else { return 125 }
        let ctx = Context(store: store, environment: ProcessInfo.processInfo.environment)
        do throws(DockerError) {
            _ = try LogsCommand.execute(["--follow", "--since", args[i + 1], id], ctx)
            return try ctx.daemon.waitForExit(id)
        } catch {
            Output.err(error.message)
            return 1
        }
    }
}
