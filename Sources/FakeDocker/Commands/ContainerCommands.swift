import DockerSyntax
import Foundation

/// The commands that act on each CONTAINER argument in turn and, as the docker CLI does, print each
/// success as it happens and every error together at the end (exit 1).
func forEachContainer(_ references: [String], _ body: (String) throws(DockerError) -> Void) throws(DockerError) -> Int32 {
    var errors: [String] = []
    for reference in references {
        do { try body(reference) } catch { errors.append(error.message) }
    }
    if !errors.isEmpty { throw DockerError(errors.joined(separator: "\n")) }
    return 0
}

enum StopCommand {
    static let syntax = CommandSyntax(name: "stop", usage: "[OPTIONS] CONTAINER [CONTAINER...]", flags: [
        FlagSpec(long: "timeout", short: "t", takesValue: true), FlagSpec(long: "time", short: nil, takesValue: true),
        FlagSpec(long: "signal", short: "s", takesValue: true), .help,
    ], minArguments: 1)

    /// The timeout and signal of `stop` (and of `restart`, which takes the same flags), as the CLI reads them.
    static func options(_ f: ParsedFlags, _ syntax: CommandSyntax) throws(DockerError) -> (timeout: Int?, signal: Int32?) {
        var timeout: Int?
        if f.has("time") { Output.out("Flag --time has been deprecated, use --timeout instead") }
        if let t = f.last("timeout") ?? f.last("time") {
            guard let n = Int(t) else {
                throw syntax.usageError("invalid argument \"\(t)\" for \"-t, --timeout\" flag: strconv.ParseInt: parsing \"\(t)\": invalid syntax")
            }
            timeout = n
        }
        var signal: Int32?
        if let s = f.last("signal") {
            guard let n = SignalName.parse(s) else { throw DockerError.daemon("Invalid signal: \(s)") }
            signal = n
        }
        return (timeout, signal)
    }

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let (timeout, signal) = try options(f, syntax)
        return try forEachContainer(f.arguments) { reference throws(DockerError) in
            _ = try stop(reference, timeout: timeout, signal: signal, f, request: "stop", ctx)
            Output.out(reference)
        }
    }

    /// Stops the container `reference` names as `docker stop` does (`docker restart` too); when the engine goes away
    /// before it answers, the CLI's error names the request (`request`: stop, restart). Returns the container.
    static func stop(_ reference: String, timeout: Int?, signal: Int32?, _ f: ParsedFlags, request: String,
                     _ ctx: Context) throws(DockerError) -> Container {
        let c = try ctx.daemon.find(reference)
        guard ctx.daemon.stop(c, timeout: timeout, signal: signal) else {
            let query = f.last("timeout") ?? f.last("time")
            throw EngineConnection.requestLost(method: "Post", path: "/containers/\(reference)/\(request)" + (query.map { "?t=\($0)" } ?? ""),
                                               host: ctx.daemonHost)
        }
        return c
    }
}

enum KillCommand {
    static let syntax = CommandSyntax(name: "kill", usage: "[OPTIONS] CONTAINER [CONTAINER...]", flags: [
        FlagSpec(long: "signal", short: "s", takesValue: true), .help,
    ], minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let raw = f.last("signal") ?? "KILL"
        return try forEachContainer(f.arguments) { reference throws(DockerError) in
            guard let signal = SignalName.parse(raw) else { throw DockerError.daemon("Invalid signal: \(raw)") }
            do throws(DockerError) {
                try ctx.daemon.kill(try ctx.daemon.find(reference), signal: signal, reference: reference)
            } catch {
                // The engine wraps every kill failure, a missing container's too.
                let inner = error.message.replacingOccurrences(of: "Error response from daemon: ", with: "")
                throw DockerError.daemon("Cannot kill container: \(reference): \(inner)")
            }
            Output.out(reference)
        }
    }
}

enum RmCommand {
    static let syntax = CommandSyntax(name: "rm", usage: "[OPTIONS] CONTAINER [CONTAINER...]", flags: [
        FlagSpec(long: "force", short: "f", takesValue: false), FlagSpec(long: "volumes", short: "v", takesValue: false),
        FlagSpec(long: "link", short: "l", takesValue: false), .help,
    ], minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let force = f.bool("force")
        return try forEachContainer(f.arguments) { reference throws(DockerError) in
            let c: Container
            do throws(DockerError) {
                c = try ctx.daemon.find(reference)
            } catch {
                // `rm -f` of a missing container succeeds; this engine still says so on stderr.
                if force && error.message.hasPrefix("Error response from daemon: No such container") {
                    Output.err(error.message)
                    return
                }
                throw error
            }
            try ctx.daemon.remove(c, force: force, volumes: f.bool("volumes"))
            Output.out(reference)
        }
    }
}

enum WaitCommand {
    static let syntax = CommandSyntax(name: "wait", usage: "CONTAINER [CONTAINER...]", flags: [.help], minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        return try forEachContainer(f.arguments) { reference throws(DockerError) in
            Output.out(String(try ctx.daemon.waitForExit(reference)))
        }
    }
}

enum StartCommand {
    static let syntax = CommandSyntax(name: "start", usage: "[OPTIONS] CONTAINER [CONTAINER...]", flags: [
        FlagSpec(long: "attach", short: "a", takesValue: false), FlagSpec(long: "interactive", short: "i", takesValue: false),
        FlagSpec(long: "detach-keys", short: nil, takesValue: true), FlagSpec(long: "checkpoint", short: nil, takesValue: true),
        FlagSpec(long: "checkpoint-dir", short: nil, takesValue: true), .help,
    ], minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let attach = f.bool("attach") || f.bool("interactive")
        if attach {
            guard f.arguments.count == 1 else {
                throw DockerError("you cannot start and attach multiple containers at once")
            }
            let c = try ctx.daemon.find(f.arguments[0])
            if c.isRunning { sleepSeconds(ctx.takeScriptedDelay()); return try ctx.daemon.waitForExit(c.id) }
            let signalFD = AttachedSession.blockSignals(proxy: true)
            let connection = EngineConnection(store: ctx.store)
            let shim = try Launcher.start(c, store: ctx.store, attachment: .init(
                stdin: f.bool("interactive") && c.config.openStdin, stdout: true, stderr: true), command: "start",
                delay: ctx.takeScriptedDelay())
            return AttachedSession(container: c, shimPID: shim, store: ctx.store, signalFD: signalFD, proxiedSignals: true,
                                   connection: connection).run()
        }
        var failed: [String] = []
        for reference in f.arguments {
            do throws(DockerError) {
                let c = try ctx.daemon.find(reference)
                if !c.isRunning {
                    _ = try Launcher.start(c, store: ctx.store, attachment: nil, command: "start", delay: ctx.takeScriptedDelay())
                }
                Output.out(reference)
            } catch {
                Output.err(error.message)
                failed.append(reference)
            }
        }
        // A delay no start took (nothing to start) is still waited out.
        sleepSeconds(ctx.takeScriptedDelay())
        if !failed.isEmpty { throw DockerError("Error: failed to start containers: \(failed.joined(separator: ", "))") }
        return 0
    }
}
