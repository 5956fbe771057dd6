/// `docker restart`: a running container stopped as `docker stop` stops it (its stop signal or `-s`, KILL after `-t`
/// or its stop timeout), then started as `docker start` starts it; a stopped one only started. The log goes on
/// across it, and `.RestartCount` stays 0 (only a restart policy counts; observed).
enum RestartCommand {
    static let syntax = CommandSyntax(name: "restart", usage: "[OPTIONS] CONTAINER [CONTAINER...]",
                                      flags: StopCommand.syntax.flags, minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let (timeout, signal) = try StopCommand.options(f, syntax)
        return try forEachContainer(f.arguments) { reference throws(DockerError) in
            let c = try ctx.daemon.find(reference)
            guard ctx.daemon.stop(c, timeout: timeout, signal: signal) else {
                let query = f.last("timeout") ?? f.last("time")
                throw EngineConnection.requestLost(method: "Post", path: "/containers/\(reference)/restart" + (query.map { "?t=\($0)" } ?? ""),
                                                   host: ctx.daemonHost)
            }
            _ = try Launcher.start(try ctx.daemon.find(c.id), store: ctx.store, attachment: nil, command: "start")
            Output.out(reference)
        }
    }
}
