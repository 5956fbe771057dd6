import DockerSyntax
import Foundation

/// What the docker CLI sends the daemon for `run`/`create`: the command line read as the CLI's
/// parse() reads it — every flag value parsed, the env and label files read, the health options
/// checked — before the daemon is asked anything, so these errors come first whatever the image.
struct CreateRequest {
    /// The words after `run`/`create`, as given, and as parsed.
    let argv: [String]
    let arguments: RunArguments
    /// `--env-file` lines, then `-e` values; `NAME` alone is taken from the client's environment.
    private(set) var env: [String] = []
    /// `--label-file` lines, then `--label` values; a later key replaces an earlier one.
    private(set) var labels: [String: String] = [:]
    private(set) var stopTimeout: Int?
    private(set) var healthcheck: HealthConfig?
    /// `-v` with a host part or a volume name, as the CLI sends them (`HostConfig.Binds`): a host part starting with
    /// `.` made absolute, repeats dropped.
    private(set) var binds: [String] = []
    /// `--mount`, as the CLI sends them (`HostConfig.Mounts`).
    private(set) var mounts: [MountOption] = []
    /// `-v` with a container path alone (an anonymous volume), as the CLI sends them (`Config.Volumes`).
    private(set) var volumes: [String] = []

    private static let healthDurations = ["health-interval", "health-timeout", "health-start-period", "health-start-interval"]

    init(_ argv: [String], _ run: RunArguments, environment: [String: String], command: CreatingCommand) throws(DockerError) {
        self.argv = argv
        arguments = run
        // The flag parser converts every typed value before parse() looks at any of them; `-e` is checked
        // as it is read (opts.ValidateEnv): a name is needed before any `=`.
        for variable in run.all("env") where variable.split(separator: "=", omittingEmptySubsequences: false)[0].isEmpty {
            throw command.invalidFlagValue(variable, flag: "-e, --env", reason: "invalid environment variable: \(variable)")
        }
        for link in run.all("link") {
            do { _ = try Link.parse(link) } catch { throw command.invalidFlagValue(link, flag: "--link", reason: error.reason) }
        }
        // `--ulimit` and `--add-host` as the CLI reads them (opts.UlimitOpt, opts.ValidateExtraHost).
        for value in run.all("ulimit") {
            if case .failure(let e) = Ulimit.parse(value) { throw command.invalidFlagValue(value, flag: "--ulimit", reason: e.text) }
        }
        for value in run.all("add-host") {
            if case .failure(let e) = ExtraHost.parse(value) { throw command.invalidFlagValue(value, flag: "--add-host", reason: e.text) }
        }
        stopTimeout = try Self.integer("stop-timeout", run, command)
        let retries = try Self.integer("health-retries", run, command)
        var durations: [String: Double] = [:]
        for name in Self.healthDurations { durations[name] = try Self.duration(name, run, command) }
        let cwd = FileManager.default.currentDirectoryPath
        for value in run.all("mount") {
            do {
                mounts.append(try MountSyntax.clientMount(value, cwd: cwd))
            } catch {
                throw command.invalidFlagValue(value, flag: "--mount", reason: error.text)
            }
        }
        for spec in run.all("volume") {
            do {
                if let bind = try MountSyntax.clientBind(spec, cwd: cwd) {
                    if !binds.contains(bind) { binds.append(bind) }
                } else if !volumes.contains(spec) {
                    volumes.append(spec)
                }
            } catch {
                throw command.refusedOption(error.text)
            }
        }

        // parse() reads the MAC address after the volumes, before the ports.
        if let mac = run.last("mac-address")?.value, !mac.isEmpty, let refusal = MacAddress.invalid(mac) {
            throw command.refusedOption(refusal)
        }
        // The CLI's parse(): every `-p`, then every `--expose` (go-connections' texts).
        do throws(PortSpecError) {
            _ = try PortSpec.bindings(run.all("publish"))
            for spec in run.all("expose") { _ = try PortSpec.expose(spec) }
        } catch {
            throw command.refusedOption(error.text)
        }

        for file in run.all("env-file") {
            env += try Self.readKeyValueFile(file, command).compactMap { Self.resolve($0, environment) }
        }
        env += run.all("env").compactMap { Self.resolve($0, environment) }
        var labelLines: [String] = []
        for file in run.all("label-file") { labelLines += try Self.readKeyValueFile(file, command) }
        for line in labelLines + run.all("label") {
            let (key, value) = Self.split(line)
            labels[key] = value
        }

        let healthCommand = run.last("health-cmd")?.value
        let healthOptionGiven = healthCommand != nil || retries != nil || !durations.isEmpty
        if run.flag("no-healthcheck") {
            if healthOptionGiven { throw command.refusedOption("--no-healthcheck conflicts with --health-* options") }
            healthcheck = HealthConfig(test: ["NONE"], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0)
        } else if healthOptionGiven {
            for name in Self.healthDurations where (durations[name] ?? 0) < 0 {
                throw command.refusedOption("--\(name) cannot be negative")
            }
            if (retries ?? 0) < 0 { throw command.refusedOption("--health-retries cannot be negative") }
            // Without --health-cmd the engine keeps the image's test; images here have none, so the
            // other options alone change nothing that runs.
            if let healthCommand {
                healthcheck = HealthConfig(
                    test: ["CMD-SHELL", healthCommand],
                    interval: durations["health-interval"] ?? 0, timeout: durations["health-timeout"] ?? 0,
                    startPeriod: durations["health-start-period"] ?? 0, startInterval: durations["health-start-interval"] ?? 0,
                    retries: retries ?? 0)
            }
        }
        if let refusal = LogConfig(driver: run.last("log-driver")?.value, options: run.all("log-opt")).clientRefusal {
            throw command.refusedOption(refusal)
        }
        // The CLI reads the retry count (ParseRestartPolicy); the names are the daemon's to check (ContainerFactory).
        let restart = run.last("restart")?.value ?? "no"
        do throws(RestartPolicy.Refusal) {
            _ = try RestartPolicy.parse(restart)
        } catch {
            if case .client(let message) = error { throw command.refusedOption(message) }
        }
        // Any name but "no" and "" (the CLI's IsNone), even one the daemon would refuse.
        if run.flag("rm"), !["no", ""].contains(restart.split(separator: ":", omittingEmptySubsequences: false)[0]) {
            throw command.refusedOption("conflicting options: cannot specify both --restart and --rm")
        }
        // The CLI's create call, before it sends anything: a MAC address needs API 1.44.
        if let mac = run.last("mac-address")?.value, !mac.isEmpty { throw command.failure(MacAddress.apiRefusal) }
    }

    /// The request as the client sends it to the engine's request process (CreateRequestProcess): what the client
    /// read from files and its environment is in it, so the engine reads none of them again.
    struct Message: Codable {
        var argv: [String]
        var env: [String]
        var labels: [String: String]
        var stopTimeout: Int?
        var healthcheck: HealthConfig?
        var binds: [String]?
        var mounts: [MountOption]?
        var volumes: [String]?
    }

    var message: Message {
        Message(argv: argv, env: env, labels: labels, stopTimeout: stopTimeout, healthcheck: healthcheck, binds: binds,
                mounts: mounts, volumes: volumes)
    }

    /// The request the client sent; nil if its arguments do not parse (they did in the client).
    init?(_ message: Message) {
        guard let run = try? RunArguments.parse(message.argv) else { return nil }
        argv = message.argv
        arguments = run
        env = message.env
        labels = message.labels
        stopTimeout = message.stopTimeout
        healthcheck = message.healthcheck
        binds = message.binds ?? []
        mounts = message.mounts ?? []
        volumes = message.volumes ?? []
    }

    private static func integer(_ name: String, _ run: RunArguments, _ command: CreatingCommand) throws(DockerError) -> Int? {
        guard let text = run.last(name)?.value else { return nil }
        guard let n = Int(text) else {
            throw command.invalidFlagValue(text, flag: "--\(name)", reason: "strconv.ParseInt: parsing \"\(text)\": invalid syntax")
        }
        return n
    }

    private static func duration(_ name: String, _ run: RunArguments, _ command: CreatingCommand) throws(DockerError) -> Double? {
        guard let text = run.last(name)?.value else { return nil }
        do {
            return try GoDuration.parse(text)
        } catch {
            throw command.invalidFlagValue(text, flag: "--\(name)", reason: error.reason)
        }
    }

    /// `K=V` as is; `K` alone takes K from the client's environment, or is dropped when unset.
    private static func resolve(_ variable: String, _ environment: [String: String]) -> String? {
        if variable.contains("=") { return variable }
        return environment[variable].map { "\(variable)=\($0)" }
    }

    /// The lines of an `--env-file`/`--label-file` that are neither blank nor comments.
    private static func readKeyValueFile(_ path: String, _ command: CreatingCommand) throws(DockerError) -> [String] {
        guard let text = HostProcess.readFile(path) else {
            throw command.refusedOption("open \(path): no such file or directory")
        }
        return text.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingCharacters(in: " \t\r")
            return line.isEmpty || line.hasPrefix("#") ? nil : line
        }
    }

    private static func split(_ kv: String) -> (String, String) {
        guard let eq = kv.firstIndex(of: "=") else { return (kv, "") }
        return (String(kv[..<eq]), String(kv[kv.index(after: eq)...]))
    }
}
