import Foundation

/// fake-docker's entry point: global options, the call log, scripted faults, then the command.
public enum FakeDockerCLI {
    public static func main(_ argv: [String], environment: [String: String]) -> Int32 {
        let args: [String]
        do { args = try GlobalOptions.command(Array(argv.dropFirst())) } catch { return report(error) }
        // A published port's relay (docker-proxy), started by a shim: it needs no state.
        if args.first == "__proxy" { return PortProxy.main(Array(args.dropFirst())) }
        // The engine's own processes (RequestProcess): a start's shim, a create, an attach's output.
        if args.first == "__shim" || args.first == "__create" || args.first == "__attach" {
            let requestArgs = Array(args.dropFirst())
            guard let i = requestArgs.firstIndex(of: "--state"), i + 1 < requestArgs.count,
                  let store = try? StateStore(path: requestArgs[i + 1]) else { return 125 }
            if args.first == "__create" { return CreateRequestProcess.main(requestArgs, store: store) }
            if args.first == "__attach" { return AttachCommand.follow(requestArgs, store: store) }
            return Shim.main(requestArgs, store: store)
        }
        // A scenario runs in a state of its own (or on the real engine): it neither opens nor logs into this one.
        if args.first == "scenario" { return ScenarioCommand.main(Array(args.dropFirst()), environment: environment) }
        let store: StateStore
        do {
            store = try StateStore(path: StateStore.defaultPath(environment: environment))
        } catch {
            Output.err(error.message)
            return 1
        }
        let context = Context(store: store, environment: environment)
        let command = args.first ?? ""
        let logged = command != "calls"
        let callID = logged ? CallLog.begin(store: store, argv: args) : nil
        let code = dispatch(args, context)
        if let callID { CallLog.end(store: store, id: callID, exitCode: code) }
        return code
    }

    static func dispatch(_ args: [String], _ ctx: Context) -> Int32 {
        guard var name = args.first else {
            Output.out("Usage:  docker [OPTIONS] COMMAND")
            return 0
        }
        var rest = Array(args.dropFirst())
        // `docker container X` / `docker image X` are the same commands (`container inspect` differs
        // only in its missing-object message).
        var containerScoped = false
        if name == "container" || name == "image", let sub = rest.first {
            containerScoped = name == "container"
            let aliases = ["ls": name == "image" ? "images" : "ps", "list": name == "image" ? "images" : "ps", "remove": "rm"]
            name = name == "image" && sub == "rm" ? "rmi" : (aliases[sub] ?? sub)
            rest.removeFirst()
        }
        if name != "script" && name != "calls" {
            if let fault = ScriptedFaults.consume(ctx.store, command: name) {
                if let exit = fault.replacingCommand() { return exit }
                // A create or start request's delay is the engine's, spent by the request's process (RequestProcess).
                if ["run", "create", "start"].contains(name) { ctx.scriptedDelay = fault.delay } else { sleepSeconds(fault.delay) }
            }
            if ctx.daemon.engineIsDown {
                let message = "Cannot connect to the Docker daemon at \(ctx.daemonHost). Is the docker daemon running?"
                // Only `run` wraps a daemon failure; `create` prints it bare (engine-observations 24), and `start`
                // without -a adds its summary line ("engine restart", item 5).
                if name == "run" {
                    Output.err("docker: \(message)\n\nRun 'docker \(name) --help' for more information")
                    return 125
                }
                Output.err(message)
                if name == "start", let f = try? StartCommand.syntax.parse(rest), !f.bool("attach") && !f.bool("interactive") {
                    Output.err("Error: failed to start containers: " + f.arguments.joined(separator: ", "))
                }
                return 1
            }
        }
        do {
            switch name {
            case "run": return try RunCommand.execute(rest, ctx, create: false)
            case "create": return try RunCommand.execute(rest, ctx, create: true)
            case "start": return try StartCommand.execute(rest, ctx)
            case "wait": return try WaitCommand.execute(rest, ctx)
            case "stop": return try StopCommand.execute(rest, ctx)
            case "kill": return try KillCommand.execute(rest, ctx)
            case "restart": return try RestartCommand.execute(rest, ctx)
            case "pause": return try PauseCommand.execute(rest, ctx, unpausing: false)
            case "unpause": return try PauseCommand.execute(rest, ctx, unpausing: true)
            case "exec": return try ExecCommand.execute(rest, ctx)
            case "port": return try PortCommand.execute(rest, ctx)
            case "rm": return try RmCommand.execute(rest, ctx)
            case "commit": return try CommitCommand.execute(rest, ctx)
            case "tag": return try TagCommand.execute(rest, ctx)
            case "rmi": return try RmiCommand.execute(rest, ctx)
            case "inspect": return try InspectCommand.execute(rest, ctx, containerOnly: containerScoped)
            case "ps": return try PsCommand.execute(rest, ctx)
            case "images": return try ImagesCommand.execute(rest, ctx)
            case "logs": return try LogsCommand.execute(rest, ctx)
            case "import": return try ImportCommand.execute(rest, ctx)
            case "volume": return try VolumeCommand.execute(rest, ctx)
            case "cp": return try CopyCommand.execute(rest, ctx)
            case "export": return try ExportCommand.execute(rest, ctx)
            case "attach": return try AttachCommand.execute(rest, ctx)
            case "version": return try VersionCommand.execute(rest, ctx)
            case "info": return try InfoCommand.execute(rest, ctx)
            case "script": return try ScriptCommand.execute(rest, ctx)
            case "calls": return try CallsCommand.execute(rest, ctx)
            default:
                Output.err("docker: unknown command: docker \(name)\n\nRun 'docker --help' for more information")
                return 1
            }
        } catch {
            return report(error)
        }
    }

    /// Says `error` as the docker CLI does and returns its exit code. `--help` arrives here too, as exit 0:
    /// usage belongs on stdout then.
    static func report(_ error: DockerError) -> Int32 {
        if !error.message.isEmpty { Output.write(error.exitCode == 0 ? 1 : 2, error.message + "\n") }
        return error.exitCode
    }
}
