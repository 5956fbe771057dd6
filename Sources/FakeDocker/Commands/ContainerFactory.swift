import DockerSyntax
import Foundation
import ProcessSpawn

/// Turns a parsed `docker run`/`docker create` command line and its image into a container record,
/// with the engine's defaults and the CLI's validation messages.
struct ContainerFactory {
    let store: StateStore
    let environment: [String: String]

    static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    func makeConfig(_ run: RunArguments, image: Image, id: String) throws(DockerError) -> ContainerConfig {
        var env = image.config.env
        if !env.contains(where: { $0.hasPrefix("PATH=") }) { env.insert(Self.defaultPath, at: 0) }
        for file in run.all("env-file") { env += try readKeyValueFile(file, resolveFromEnvironment: true) }
        for e in run.all("env") { if let v = resolveVariable(e) { env.append(v) } }
        env = deduplicated(env)

        var labels = image.config.labels
        for file in run.all("label-file") {
            for line in try readKeyValueFile(file, resolveFromEnvironment: false) { labels.merge([split(line)]) { $1 } }
        }
        for l in run.all("label") { labels.merge([split(l)]) { $1 } }

        var entrypoint = image.config.entrypoint
        if let e = run.last("entrypoint")?.value { entrypoint = e.isEmpty ? nil : [e] }
        var cmd = image.config.cmd
        if !run.command.isEmpty { cmd = run.command }
        else if run.last("entrypoint") != nil { cmd = nil }   // docker: an --entrypoint clears the image's CMD
        let argv = (entrypoint ?? []) + (cmd ?? [])
        guard let path = argv.first else {
            throw DockerError.run("Error response from daemon: no command specified")
        }

        let workdir = run.last("workdir")?.value ?? image.config.workingDir
        if !workdir.isEmpty && !workdir.hasPrefix("/") {
            throw DockerError.run("Error response from daemon: the working directory '\(workdir)' is invalid, it needs to be an absolute path")
        }

        var stopTimeout: Int?
        if let t = run.last("stop-timeout")?.value {
            guard let n = Int(t) else { throw invalidArgument(t, "--stop-timeout", "strconv.ParseInt: parsing \"\(t)\": invalid syntax") }
            stopTimeout = n
        }
        let stopSignal = run.last("stop-signal")?.value ?? image.config.stopSignal
        if let s = stopSignal, SignalName.parse(s) == nil {
            throw DockerError.daemon("Invalid signal: \(s)")
        }

        var healthcheck: HealthConfig?
        if run.flag("no-healthcheck") {
            healthcheck = HealthConfig(test: ["NONE"], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0)
        } else if let cmdText = run.last("health-cmd")?.value {
            healthcheck = HealthConfig(
                test: ["CMD-SHELL", cmdText],
                interval: try duration("health-interval", run), timeout: try duration("health-timeout", run),
                startPeriod: try duration("health-start-period", run), startInterval: try duration("health-start-interval", run),
                retries: Int(run.last("health-retries")?.value ?? "0") ?? 0)
        }

        let attach = Set(run.all("attach").map { $0.lowercased() })
        let detached = run.flag("detach")
        let interactive = run.flag("interactive")
        var other: [String: [String]] = [:]
        let modelled: Set<String> = ["env", "env-file", "label", "label-file", "entrypoint", "workdir", "stop-timeout",
                                     "stop-signal", "health-cmd", "health-interval", "health-timeout", "health-start-period",
                                     "health-start-interval", "health-retries", "no-healthcheck", "attach", "detach",
                                     "interactive", "tty", "rm", "init", "name", "hostname", "user", "restart", "network", "net", "cidfile"]
        for o in run.options where !modelled.contains(o.name) { other[o.name, default: []].append(o.value ?? "true") }

        return ContainerConfig(
            path: path, args: Array(argv.dropFirst()), cmd: cmd, entrypoint: entrypoint, env: env,
            workingDir: workdir, user: run.last("user")?.value ?? image.config.user,
            hostname: run.last("hostname")?.value ?? String(id.prefix(12)), labels: labels,
            stopSignal: stopSignal, stopTimeout: stopTimeout, tty: run.flag("tty"), openStdin: interactive,
            attachStdin: !detached && (attach.isEmpty ? interactive : attach.contains("stdin")),
            attachStdout: !detached && (attach.isEmpty || attach.contains("stdout")),
            attachStderr: !detached && (attach.isEmpty || attach.contains("stderr")),
            autoRemove: run.flag("rm"), initProcess: run.flag("init"), healthcheck: healthcheck,
            restartPolicy: run.last("restart")?.value ?? "no",
            networkMode: run.last("network")?.value ?? run.last("net")?.value ?? "bridge",
            otherOptions: other)
    }

    private func invalidArgument(_ value: String, _ flag: String, _ reason: String) -> DockerError {
        DockerError("invalid argument \"\(value)\" for \"\(flag)\" flag: \(reason)\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information", exitCode: 125)
    }

    private func duration(_ name: String, _ run: RunArguments) throws(DockerError) -> Double {
        guard let text = run.last(name)?.value else { return 0 }
        guard let seconds = GoDuration.parse(text) else {
            throw invalidArgument(text, "--\(name)", "time: invalid duration \"\(text)\"")
        }
        return seconds
    }

    /// `-e K=V` as is; `-e K` takes K from the client's environment, or is dropped when unset.
    private func resolveVariable(_ e: String) -> String? {
        if e.contains("=") { return e }
        return environment[e].map { "\(e)=\($0)" }
    }

    private func readKeyValueFile(_ path: String, resolveFromEnvironment: Bool) throws(DockerError) -> [String] {
        guard let text = HostProcess.readFile(path) else {
            throw DockerError("open \(path): no such file or directory", exitCode: 125)
        }
        return text.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { return nil }
            return resolveFromEnvironment ? resolveVariable(line) : line
        }
    }

    private func split(_ kv: String) -> (String, String) {
        guard let eq = kv.firstIndex(of: "=") else { return (kv, "") }
        return (String(kv[..<eq]), String(kv[kv.index(after: eq)...]))
    }

    /// Later definitions of a variable replace earlier ones, keeping the first position.
    private func deduplicated(_ env: [String]) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        for e in env {
            let key = String(e.prefix { $0 != "=" })
            if values[key] == nil { order.append(key) }
            values[key] = e
        }
        return order.compactMap { values[$0] }
    }

    /// Creates the container's root filesystem from the image, with the files the engine adds.
    func makeRootfs(for id: String, image: Image, hostname: String) throws(DockerError) {
        let fm = FileManager.default
        let dir = store.containerDirectory(id)
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let source = store.rootfs(ofImage: image.id)
            let target = store.rootfs(ofContainer: id)
            if fm.fileExists(atPath: source) {
                try FileTree.clone(from: source, to: target)
            } else {
                try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
            }
            for d in ["etc", "dev", "proc", "sys", "tmp"] {
                try fm.createDirectory(atPath: target + "/" + d, withIntermediateDirectories: true)
            }
            // The device nodes every engine container has; only root can make them (and only root
            // chroots into the filesystem, where they are needed).
            if geteuid() == 0 {
                for (name, minor) in [("null", 3), ("zero", 5), ("full", 7), ("random", 8), ("urandom", 9)] {
                    mknod(target + "/dev/" + name, S_IFCHR | 0o666, dev_t(1 << 8 | minor))
                    chmod(target + "/dev/" + name, 0o666)
                }
            }
            try FileTree.write("\(hostname)\n", to: target + "/etc/hostname")
            try FileTree.write("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", to: target + "/etc/hosts")
            try FileTree.write("nameserver 127.0.0.11\n", to: target + "/etc/resolv.conf")
        } catch {
            throw DockerError.run("Error response from daemon: \(error)")
        }
    }
}

/// Runs a host tool with inherited stderr and no stdin; its exit status.
@discardableResult
func runTool(_ argv: [String], stdin: Int32 = -1) -> Int32 {
    let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
    defer { close(devNull) }
    var options = SpawnOptions()
    options.stdin = stdin >= 0 ? stdin : devNull
    options.stdout = devNull
    guard let pid = try? spawnProcess(argv[0], argv: argv, options) else { return 127 }
    return ExitStatus(reaping: pid).code
}
