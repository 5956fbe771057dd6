import Foundation

/// What `docker exec` asks for, as a value: read from the arguments and the client's environment, checked as the
/// docker CLI checks it (engine-observations, "exec").
struct ExecRequest: Equatable {
    var container: String
    var argv: [String]
    /// `-e`: `K=V`, or `K` taken from the client's environment (dropped when unset there).
    var env: [String] = []
    var user: String?
    var workingDir: String?
    var detach = false
    var interactive = false
    var tty = false

    static let syntax = CommandSyntax(name: "exec", usage: "[OPTIONS] CONTAINER COMMAND [ARG...]", flags: [
        FlagSpec(long: "detach", short: "d", takesValue: false), FlagSpec(long: "interactive", short: "i", takesValue: false),
        FlagSpec(long: "tty", short: "t", takesValue: false), FlagSpec(long: "env", short: "e", takesValue: true),
        FlagSpec(long: "env-file", short: nil, takesValue: true), FlagSpec(long: "user", short: "u", takesValue: true),
        FlagSpec(long: "workdir", short: "w", takesValue: true), FlagSpec(long: "privileged", short: nil, takesValue: false),
        FlagSpec(long: "detach-keys", short: nil, takesValue: true), .help,
    ], minArguments: 2, interspersed: false)

    /// `readFile`: a file's text, nil when it cannot be read (for `--env-file`).
    static func parse(_ args: [String], environment: [String: String],
                      readFile: (String) -> String? = HostProcess.readFile) throws(DockerError) -> ExecRequest {
        let f = try syntax.parse(args)
        var request = ExecRequest(container: f.arguments[0], argv: Array(f.arguments.dropFirst()))
        // The files' variables first, then -e's (observed: `A=1` in the file, `-e A=2` gives 2).
        var variables: [String] = []
        for path in f.all("env-file") {
            guard let text = readFile(path) else { throw DockerError("open \(path): no such file or directory") }
            variables += text.split(separator: "\n").map { $0.trimmingCharacters(in: " \t\r") }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        for variable in variables + f.all("env") {
            // The CLI's own check: a variable needs a name.
            guard !variable.isEmpty, !variable.hasPrefix("=") else {
                throw syntax.usageError("invalid argument \"\(variable)\" for \"-e, --env\" flag: invalid environment variable: \(variable)")
            }
            if variable.contains("=") { request.env.append(variable) }
            else if let value = environment[variable] { request.env.append("\(variable)=\(value)") }
        }
        request.user = f.last("user")
        request.workingDir = f.last("workdir")
        request.detach = f.bool("detach")
        request.interactive = f.bool("interactive")
        request.tty = f.bool("tty")
        return request
    }

    /// The exec's environment as the daemon builds it: the container's, `TERM=xterm` with `-t` (unless the container
    /// sets TERM), then `-e`, each replacing a variable of the same name. PATH, HOSTNAME and HOME are ContainerExec's.
    func environment(container: [String]) -> [String] {
        func name(_ kv: String) -> Substring { kv.prefix { $0 != "=" } }
        var env = container
        if tty && !env.contains(where: { name($0) == "TERM" }) { env.insert("TERM=xterm", at: 0) }
        for variable in self.env {
            if let i = env.firstIndex(where: { name($0) == name(variable) }) { env[i] = variable } else { env.append(variable) }
        }
        return env
    }

    /// The container's configuration with the exec's user, working directory and environment in it.
    func config(for container: ContainerConfig) -> ContainerConfig {
        var config = container
        config.env = environment(container: container.env)
        if let user { config.user = user }
        if let workingDir { config.workingDir = workingDir }
        return config
    }
}

/// `docker exec`: a process started in a running container. Its failures to start are runc's, said as the engine
/// says them: attached, on stdout (the exec's stream) with `\r\n`, exit 126; with `-d`, as the daemon's error on
/// stderr, exit 1.
enum ExecCommand {
    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let request = try ExecRequest.parse(args, environment: ctx.environment)
        let c = try ctx.daemon.find(request.container)
        if c.status == .paused {
            throw DockerError.daemon("Container \(request.container) is paused, unpause the container before exec")
        }
        guard c.isRunning else { throw DockerError.daemon("Container \(c.id) is not running") }
        try ctx.daemon.refuseRestarting(c)
        if request.interactive && request.tty && isatty(0) == 0 { throw DockerError("the input device is not a TTY") }
        let exec = ContainerExec(rootfs: ctx.store.rootfs(ofContainer: c.id), config: request.config(for: c.config))
        switch ExecProcess.start(in: c, exec: exec, argv: request.argv, request: request) {
        case .failure(let failure):
            if request.detach { throw DockerError.daemon(failure.text) }
            Output.write(1, failure.text + "\r\n")
            return 126
        case .success(let process):
            return process.finish()
        }
    }
}
