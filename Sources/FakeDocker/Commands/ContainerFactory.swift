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
        // The network mode is checked as the request is decoded, before anything else.
        let mode = run.last("network")?.value ?? run.last("net")?.value ?? "bridge"
        let asked = NetworkContainer.Request(
            hostname: run.last("hostname")?.value, links: !run.all("link").isEmpty, dns: !run.all("dns").isEmpty,
            extraHosts: !run.all("add-host").isEmpty, publishes: !run.all("publish").isEmpty || run.flag("publish-all"),
            exposes: !run.all("expose").isEmpty)
        if let refusal = NetworkContainer.refusal(mode: mode, asked) {
            throw command.failure("Error response from daemon: \(refusal)")
        }
        if let workdir = run.last("workdir")?.value, !workdir.isEmpty, !workdir.hasPrefix("/") {
            throw command.failure("Error response from daemon: the working directory '\(workdir)' is invalid, it needs to be an absolute path")
        }
        do throws(RestartPolicy.Refusal) {
            _ = try RestartPolicy.parse(run.last("restart")?.value ?? "no")
        } catch {
            if case .daemon(let message) = error { throw command.failure("Error response from daemon: \(message)") }
        }
        if let refusal = Capabilities.refusal(adds: run.all("cap-add"), drops: run.all("cap-drop")) {
            throw command.failure("Error response from daemon: \(refusal)")
        }
        if let signal = run.last("stop-signal")?.value, SignalName.parse(signal) == nil {
            throw command.failure("Error response from daemon: Invalid signal: \(signal)")
        }
        do {
            for mount in request.mounts {
                _ = try MountSyntax.engineMount(mount) { FileManager.default.fileExists(atPath: $0) }
            }
            for spec in run.all("tmpfs") { _ = try TmpfsSyntax.flag(spec) }
        } catch {
            throw command.failure("Error response from daemon: \(error.text)")
        }
        if let refusal = LogConfig(driver: run.last("log-driver")?.value, options: run.all("log-opt")).daemonRefusal {
            throw command.failure("Error response from daemon: \(refusal)")
        }
    }

    /// The variables `--link` gives the container; the daemon's refusal of a link to a container that does not exist,
    /// or beside `--network host`.
    func linkEnvironment(_ request: CreateRequest, name: String) throws(DockerError) -> [String]? {
        let links = Link.list(request.arguments.all("link"))
        guard !links.isEmpty else { return nil }
        if (request.arguments.last("network")?.value ?? request.arguments.last("net")?.value) == "host" {
            throw command.failure("Error response from daemon: conflicting options: host type networking can't be used with links. "
                                  + "This would result in undefined behavior")
        }
        var env: [String] = []
        for link in links {
            let target: Container
            do {
                target = try store.findContainer(link.name)
            } catch {
                throw command.failure("Error response from daemon: could not get container for \(link.name): No such container: \(link.name)")
            }
            env += link.environment(container: name, targetEnvironment: target.config.env)
        }
        return env
    }

    /// The mounts the engine records at create (`.Mounts`), in its order: `--volumes-from` (what the container named
    /// mounts, read-only with `:ro`), `-v`, `--mount`, then an anonymous volume for each of `.Config.Volumes` (`volumes`:
    /// the image's `VOLUME`s and `-v /path`) nothing else is mounted at. Each volume's source is its directory.
    func makeBindMounts(_ request: CreateRequest, volumes: [String]) throws(DockerError) -> [BindMount] {
        do {
            var own: [BindMount] = []
            for bind in request.binds { own.append(try MountSyntax.engineBind(bind)) }
            for mount in request.mounts {
                if let m = try MountSyntax.engineMount(mount, sourceExists: { _ in true }) { own.append(m) }
            }
            let tmpfs = request.mounts.filter { $0.type == "tmpfs" }.map { MountSyntax.cleaned($0.target) }
            try MountSyntax.checkDuplicates(own.map(\.destination) + tmpfs)
            let shared = try volumesFrom(request.arguments.all("volumes-from"))
            var made = shared.filter { m in !own.contains { $0.destination == m.destination } } + own
            // A tmpfs there, `--tmpfs` too, takes the place of the anonymous volume (observed: none made).
            let taken = Set(made.map(\.destination) + tmpfs
                            + TmpfsSyntax.hostConfig(request.arguments.all("tmpfs")).map { MountSyntax.cleaned($0.path) })
            for path in volumes.map(MountSyntax.cleaned) where !taken.contains(path) {
                made.append(.volume(nil, destination: path, mode: "", readWrite: true, copies: true))
            }
            // An anonymous volume is named here, once: a container mounting it later (`--volumes-from`) keeps its name.
            return made.map { m in
                guard m.isVolume else { return m }
                var volume = m
                if volume.volumeName == nil { volume.volumeName = randomHexID() }
                volume.source = store.volumeData(volume.volumeName!)
                return volume
            }
        } catch let error as MountError {
            throw command.failure("Error response from daemon: \(error.text)")
        } catch let error as DockerError {
            throw command.failure(error.message)
        } catch {
            throw command.failure("Error response from daemon: \(error)")
        }
    }

    /// The mounts of each `--volumes-from CONTAINER[:MODE]`, as the engine copies them: its `RW` and a read-only
    /// `MODE`, no `Mode` of their own, never copying the image's files.
    private func volumesFrom(_ specs: [String]) throws -> [BindMount] {
        var copied: [BindMount] = []
        for spec in specs {
            let reference = String(spec.prefix { $0 != ":" })
            let mode = spec.count > reference.count ? String(spec.dropFirst(reference.count + 1)) : ""
            if !MountSyntax.isValidMode(mode) { throw MountError("invalid mode: \(mode)") }
            let source = try store.findContainer(reference)
            for var m in source.config.bindMounts ?? [] {
                m.readWrite = m.readWrite && !mode.split(separator: ",").contains("ro")
                m.mode = ""
                m.copiesImageFiles = m.isVolume ? false : nil
                copied.removeAll { $0.destination == m.destination }
                copied.append(m)
            }
        }
        return copied
    }

    /// Records the volumes `config` mounts that do not exist yet (in the create's transaction) and makes their
    /// directories; an empty volume that copies the image's files gets those at its destination, as the engine copies
    /// them into an empty volume. Read from the image, not from the container's filesystem, however that is made.
    func makeVolumes(_ config: ContainerConfig, image: Image) throws {
        for m in config.bindMounts ?? [] where m.isVolume {
            guard let name = m.volumeName else { continue }
            let labels = (config.mountOptions ?? []).first {
                $0.type == "volume" && $0.source == name && MountSyntax.cleaned($0.target) == m.destination
            }?.volumeOptions?.labels ?? [:]
            try store.insertVolume(Volume(name: name, driver: "local", labels: labels, options: [:], createdAt: now()))
            try FileManager.default.createDirectory(atPath: m.source, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            let files = ContainerMounts.resolve(m.destination, in: store.rootfs(ofImage: image.id))
            guard m.copiesImageFiles == true, FileTree.entries(of: m.source)?.isEmpty == true else { continue }
            if let names = FileTree.entries(of: files), !names.isEmpty { try FileTree.clone(from: files, to: m.source) }
            ContainerFilesystems.addInitLayer(under: m.destination, to: m.source)
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
        let volumes = (image.config.volumes ?? []) + request.volumes.filter { !(image.config.volumes ?? []).contains($0) }
        let bindMounts = try makeBindMounts(request, volumes: volumes)

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
            networkMode: recordedNetworkMode(run.last("network")?.value ?? run.last("net")?.value ?? "bridge"),
            binds: request.binds.isEmpty ? nil : request.binds, mountOptions: request.mounts.isEmpty ? nil : request.mounts,
            bindMounts: bindMounts.isEmpty ? nil : bindMounts, volumes: volumes.isEmpty ? nil : volumes.sorted(),
            otherOptions: other)
    }

    /// `container:NAME` as the engine records it: the container's full ID when it exists.
    private func recordedNetworkMode(_ mode: String) -> String {
        let target = NetworkContainer.reference(mode).flatMap { try? store.findContainer($0) }
        return NetworkContainer.recorded(mode, targetID: target?.id)
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
    func makeRootfs(for id: String, image: Image, hostname: String, extraHosts: [ExtraHost] = [],
                    networkMode: String = "bridge") throws(DockerError) {
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
            ContainerFilesystems.makeInitLayerFiles(in: target)
            try FileTree.write("\(hostname)\n", to: target + "/etc/hostname")
            // The engine's /etc/hosts for a container without a network address (this engine has none).
            try FileTree.write("""
                127.0.0.1\tlocalhost
                ::1\tlocalhost ip6-localhost ip6-loopback
                fe00::0\tip6-localnet
                ff00::0\tip6-mcastprefix
                ff02::1\tip6-allnodes
                ff02::2\tip6-allrouters

                """ + extraHosts.map { $0.hostsLine + "\n" }.joined(), to: target + "/etc/hosts")
            let hostResolvConf = (try? String(contentsOfFile: ResolvConf.hostPath, encoding: .utf8)) ?? ""
            try FileTree.write(ResolvConf.forContainer(host: hostResolvConf, networkMode: networkMode),
                               to: target + "/etc/resolv.conf")
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
