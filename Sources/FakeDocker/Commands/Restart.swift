/// `docker restart`: a running container stopped as `docker stop` stops it (its stop signal, KILL after `-t` or its
/// stop timeout), then started as `docker start` starts it; a stopped one only started. The log goes on across it,
/// and `.RestartCount` stays 0 (only a restart policy counts; observed).
enum RestartCommand {
    static let syntax = CommandSyntax(name: "restart", usage: "[OPTIONS] CONTAINER [CONTAINER...]", flags: [
        FlagSpec(long: "time", short: "t", takesValue: true), .help,
    ], minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        var timeout: Int?
        if let t = f.last("time") {
            guard let n = Int(t) else {
                throw syntax.usageError("invalid argument \"\(t)\" for \"-t, --time\" flag: strconv.ParseInt: parsing \"\(t)\": invalid syntax")
            }
            timeout = n
        }
        return try forEachContainer(f.arguments) { reference throws(DockerError) in
            let c = try ctx.daemon.find(reference)
            guard ctx.daemon.stop(c, timeout: timeout, signal: nil) else {
                throw EngineConnection.requestLost(method: "Post", path: "/containers/\(reference)/restart"
                                                   + (timeout.map { "?t=\($0)" } ?? ""), host: ctx.daemonHost)
            }
            _ = try Launcher.start(try ctx.daemon.find(c.id), store: ctx.store, attachment: nil, command: "start")
            Output.out(reference)
        }
    }
}
