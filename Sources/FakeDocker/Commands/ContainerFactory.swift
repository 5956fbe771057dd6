import DockerSyntax
import Foundation
import ProcessSpawn

/// Turns a `docker run`/`docker create` request and its image into a container record, as the
/// daemon does: its checks, its defaults, its messages.
struct ContainerFactory {
    let store: StateStore
    let command: CreatingCommand

    static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The daemon's checks of the request alone, made before it looks for the image.
    func verify(_ request: CreateRequest) throws(DockerError) {
        let run = request.arguments
        if let workdir = run.last("workdir")?.value, !workdir.isEmpty, !workdir.hasPrefix("/") {
            throw command.failure("Error response from daemon: the working directory '\(workdir)' is invalid, it needs to be an absolute path")
        }
        if let signal = run.last("stop-signal")?.value, SignalName.parse(signal) == nil {
            throw command.failure("Error response from daemon: Invalid signal: \(signal)")
        }
        for mount in request.mounts {
            do {
                _ = try MountSyntax.engineMount(mount) { FileManager.default.fileExists(atPath: $0) }
            } catch {
                throw command.failure("Error response from daemon: \(error.text)")
            }
        }
    }

    /// The bind mounts the engine makes of `-v` (first) and `--mount`, checked as it checks them at create.
    func makeBindMounts(_ request: CreateRequest) throws(DockerError) -> [BindMount] {
        do {
            var made: [BindMount] = []
            for bind in request.binds { if let m = try MountSyntax.engineBind(bind) { made.append(m) } }
            for mount in request.mounts {
                if let m = try MountSyntax.engineMount(mount, sourceExists: { _ in true }) { made.append(m) }
            }
            try MountSyntax.checkDuplicates(made)
            return made
        } catch {
            throw command.failure("Error response from daemon: \(error.text)")
        }
    }

    func makeConfig(_ request: CreateRequest, image: Image, id: String) throws(DockerError) -> ContainerConfig {
        let run = request.arguments
        var env = image.config.env
        if !env.contains(where: { $0.hasPrefix("PATH=") }) { env.insert(Self.defaultPath, at: 0) }
        env = deduplicated(env + request.env)
        let labels = image.config.labels.merging(request.labels) { $1 }

        var entrypoint = image.config.entrypoint
        if let e = run.last("entrypoint")?.value { entrypoint = e.isEmpty ? nil : [e] }
        var cmd = image.config.cmd
        if !run.command.isEmpty { cmd = run.command }
        else if run.last("entrypoint") != nil { cmd = nil }   // docker: an --entrypoint clears the image's CMD
        let argv = (entrypoint ?? []) + (cmd ?? [])
        guard let path = argv.first else {
            throw command.failure("Error response from daemon: No command specified")
        }
        let bindMounts = try makeBindMounts(request)

        let attach = Set(run.all("attach").map { $0.lowercased() })
        let detached = run.flag("detach")
        let interactive = run.flag("interactive")
        var other: [String: [String]] = [:]
        let modelled: Set<String> = ["env", "env-file", "label", "label-file", "entrypoint", "workdir", "stop-timeout",
                                     "stop-signal", "health-cmd", "health-interval", "health-timeout", "health-start-period",
                                     "health-start-interval", "health-retries", "no-healthcheck", "attach", "detach",
                                     "interactive", "tty", "rm", "init", "name", "hostname", "domainname", "user", "restart",
                                     "network", "net", "cidfile", "volume", "mount"]
        for o in run.options where !modelled.contains(o.name) { other[o.name, default: []].append(o.value ?? "true") }

        return ContainerConfig(
            path: path, args: Array(argv.dropFirst()), cmd: cmd, entrypoint: entrypoint, env: env,
            workingDir: run.last("workdir")?.value ?? image.config.workingDir, user: run.last("user")?.value ?? image.config.user,
            hostname: run.last("hostname")?.value ?? String(id.prefix(12)), domainname: run.last("domainname")?.value,
            labels: labels, stopSignal: run.last("stop-signal")?.value ?? image.config.stopSignal,
            stopTimeout: request.stopTimeout, tty: run.flag("tty"), openStdin: interactive,
            attachStdin: !detached && (attach.isEmpty ? interactive : attach.contains("stdin")),
            attachStdout: !detached && (attach.isEmpty || attach.contains("stdout")),
            attachStderr: !detached && (attach.isEmpty || attach.contains("stderr")),
            autoRemove: run.flag("rm"), initProcess: run.flag("init"), healthcheck: request.healthcheck,
            restartPolicy: run.last("restart")?.value ?? "no",
            networkMode: run.last("network")?.value ?? run.last("net")?.value ?? "bridge",
            binds: request.binds.isEmpty ? nil : request.binds, mountOptions: request.mounts.isEmpty ? nil : request.mounts,
            bindMounts: bindMounts.isEmpty ? nil : bindMounts, otherOptions: other)
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
            // An earlier container's directory, its files the image's (SpareRootfs), or a new one.
            let spare = SpareRootfs.take(image: image.id, container: id, store: store)
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let source = store.rootfs(ofImage: image.id)
            let target = store.rootfs(ofContainer: id)
            if !spare && fm.fileExists(atPath: source) {
                try FileTree.clone(from: source, to: target)
            } else if !spare {
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
            // The engine's /etc/hosts for a container without a network address (this engine has none).
            try FileTree.write("""
                127.0.0.1\tlocalhost
                ::1\tlocalhost ip6-localhost ip6-loopback
                fe00::0\tip6-localnet
                ff00::0\tip6-mcastprefix
                ff02::1\tip6-allnodes
                ff02::2\tip6-allrouters

                """, to: target + "/etc/hosts")
            try FileTree.write("nameserver 127.0.0.11\n", to: target + "/etc/resolv.conf")
            SpareRootfs.record(container: id, store: store)
        } catch {
            throw command.failure("Error response from daemon: \(error)")
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
    // The tool's own complaints are not the engine's: the caller words the failure.
    options.stdout = devNull
    options.stderr = devNull
    guard let pid = try? spawnProcess(argv[0], argv: argv, options) else { return 127 }
    return ExitStatus(reaping: pid).code
}
