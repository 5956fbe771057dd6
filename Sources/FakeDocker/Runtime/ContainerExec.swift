import CProcess
import Foundation
import ProcessSpawn

/// Running a program "in" a container: resolved in the container's root filesystem, run with the
/// container's environment and working directory, and — where fake-docker runs as root — chrooted
/// into that filesystem, so that absolute paths (`/tmp/x`, `/etc`) mean what they mean on the engine,
/// and in a UTS namespace of its own with the container's host and domain names, so that
/// `hostname` answers as on the engine.
/// Without root, paths are only relative to the root filesystem (the working directory) and the
/// names are the host's: `hostname` and `/etc/hostname` answer the host's name, only `$HOSTNAME`
/// the container's; docs/fake-docker.md says so. The image must then carry programs that run outside a
/// chroot too (busybox-static).
/// As root the container's process also runs in a mount namespace of its own with the container's `/proc`, `/dev` and
/// `/sys` (ContainerFilesystems), its bind mounts (ContainerMounts) and, with `-t`, a terminal of its own `/dev/pts`;
/// in IPC and network namespaces of its own (the host's network with `--network host`); and as the container's user
/// (`--user`, ContainerUser). A process run in a running container (a health check) joins its mount, network and IPC
/// namespaces instead. Without root a container with bind mounts does not start (its absolute paths are the host's,
/// so a bind could not be where the program looks), its `/proc`, `/dev`, `/sys` and network are the host's, and a
/// `--user` other than the caller's fails as the kernel refuses it.
struct ContainerExec {
    let rootfs: String
    let config: ContainerConfig
    let isolated = geteuid() == 0
    /// The network namespace the container's process joins (`--network container:NAME`), in place of one of its own.
    var networkNamespace: Int32?
    var mounts: ContainerMounts { ContainerMounts(rootfs: rootfs, mounts: config.bindMounts ?? []) }

    /// The most the kernel takes for a host or domain name (HOST_NAME_MAX, __NEW_UTS_LEN).
    static let maximumNameLength = 64

    /// The working directory inside the container ("/" when the image and run leave it empty).
    var workingDirectory: String { config.workingDir.isEmpty ? "/" : config.workingDir }
    var hostWorkingDirectory: String { rootfs + workingDirectory }

    var environment: [String] {
        var env = config.env + (config.linkEnvironment ?? [])
        func has(_ key: String) -> Bool { env.contains { $0.hasPrefix(key + "=") } }
        if !has("PATH") { env.insert(ContainerFactory.defaultPath, at: 0) }
        if !has("HOSTNAME") { env.insert("HOSTNAME=\(config.hostname)", at: 1) }
        // runc's HOME: the passwd entry of the process's uid, read inside the container (through its binds).
        if !has("HOME") {
            let uid = (try? user().get())?.uid ?? 0
            env.append("HOME=" + ContainerUser.home(uid: uid, passwd: HostProcess.readFile(mounts.hostPath("/etc/passwd"))))
        }
        return env
    }

    /// The ids of `--user` (`.Config.User`), found as the engine's daemon finds them: in the container's own
    /// `/etc/passwd` and `/etc/group`, not through its binds.
    func user() -> Result<ContainerUser, UserError> {
        func read(_ path: String) -> String? { HostProcess.readFile(ContainerMounts.resolve(path, in: rootfs)) }
        return ContainerUser.resolve(config.user, passwd: read("/etc/passwd"), group: read("/etc/group"))
    }

    /// Finds `program` as runc's LookPath would inside the container; returns its path inside the
    /// container, or docker's message for the failure.
    func resolve(_ program: String) -> Result<String, Shim.StartFailure> {
        func check(_ containerPath: String) -> Int32 {   // 0: usable; else errno
            let host = mounts.hostPath(containerPath)
            var st = stat()
            if stat(host, &st) != 0 { return errno }
            if (st.st_mode & S_IFMT) == S_IFDIR { return EACCES }
            return access(host, X_OK) == 0 ? 0 : EACCES
        }
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : (workingDirectory == "/" ? "/" : workingDirectory + "/") + path
        }
        let quoted = "exec: \"\(program)\": "
        if program.contains("/") {
            let candidate = absolute(program)
            switch check(candidate) {
            case 0: return .success(candidate)
            case EACCES: return .failure(.init(detail: quoted + "permission denied"))
            default: return .failure(.init(detail: quoted + "stat \(program): no such file or directory"))
            }
        }
        let searchPath = environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? ""
        var sawPermissionDenied = false
        for dir in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = absolute(dir.isEmpty ? "." : String(dir)) + "/" + program
            switch check(candidate) {
            case 0: return .success(candidate)
            case EACCES: sawPermissionDenied = true
            default: continue
            }
        }
        return .failure(.init(detail: quoted + (sawPermissionDenied ? "permission denied" : "executable file not found in $PATH")))
    }

    /// runc sets the host name before it looks for the program and fails the start on a name the
    /// kernel refuses; checked here whether or not this process can set it, so that the start fails
    /// as on the engine either way.
    func checkHostName() -> Shim.StartFailure? {
        guard config.hostname.utf8.count > Self.maximumNameLength else { return nil }
        return .init(detail: "error during container init: sethostname: invalid argument")
    }

    /// runc writes the domain name to /proc/sys/kernel/domainname, which keeps what fits and never
    /// fails (observed: 67 characters given, the first 64 set).
    private var domainName: String? {
        config.domainname.map { String(decoding: Array($0.utf8.prefix(Self.maximumNameLength)), as: UTF8.self) }
    }

    struct Streams {
        var stdin: Int32
        var stdout: Int32
        var stderr: Int32
        var newSession = true
        var controllingTTY = false
        /// As root with `-t`: the terminal is made in the container's own `/dev/pts`, its master sent over this socket.
        var console: SpawnOptions.Console?
    }

    /// The container has a network namespace of its own (only a loopback: the engine here has no bridge, and `none`
    /// is that too), unless it shares the host's (`--network host`). `container:NAME` is not simulated: its own.
    var ownsNetwork: Bool { config.networkMode != "host" }

    /// Whose namespaces a spawned process gets.
    enum Namespaces {
        /// The container's process: a mount namespace of its own; `ownPIDNamespace` when the caller made it PID 1 of a
        /// new PID namespace (Shim.start), so that its `/proc` is that namespace's.
        case own(ownPIDNamespace: Bool)
        /// A process of the running container whose process is `pid`: its namespaces and root joined (ContainerNamespaces).
        case joining(pid_t)
    }

    /// Starts `argv` with the program at `containerPath` with its mounts and user (`prepared`, else prepared now); the
    /// PID, or the engine's message for the step that failed.
    func spawn(_ containerPath: String, argv: [String], streams: Streams, namespaces: Namespaces, prepared: Prepared? = nil)
        -> Result<pid_t, Shim.StartFailure> {
        let ready: Prepared
        switch prepared.map(Result.success) ?? prepare() {
        case .failure(let f): return .failure(f)
        case .success(let p): ready = p
        }
        try? FileManager.default.createDirectory(atPath: hostWorkingDirectory, withIntermediateDirectories: true)
        var options = SpawnOptions()
        var joined: ContainerNamespaces?
        defer { joined?.close() }
        if isolated {
            switch namespaces {
            case .own(let ownPIDNamespace):
                options.bindMounts = ready.binds
                options.filesystemSteps = ContainerFilesystems(
                    rootfs: rootfs, ownPIDNamespace: ownPIDNamespace, tmpfs: config.tmpfsMounts,
                    readOnlyRootFlags: config.readOnlyRootfs ? ContainerMounts.mountFlags(of: rootfs) : nil).steps
                options.newIPCNamespace = true
                options.newNetworkNamespace = ownsNetwork && networkNamespace == nil
                options.networkNamespace = networkNamespace
                options.console = streams.console
            case .joining(let pid):
                // Its binds are already in those namespaces; a container gone meanwhile fails the spawn.
                guard let namespaces = ContainerNamespaces(pid: pid) else {
                    return .failure(.init(detail: "join the namespaces of \(pid): the container's process is gone"))
                }
                joined = namespaces
                options.joinedNamespaces = namespaces.joined
                options.rootDirectory = namespaces.root
            }
        }
        // Without root only a user other than the caller's is asked for (and refused by the kernel).
        if isolated || (!config.user.isEmpty && (ready.user.uid != getuid() || ready.user.gid != getgid())) {
            options.user = .init(uid: ready.user.uid, gid: ready.user.gid, groups: ready.user.processGroups)
        }
        limitProcess(&options)
        options.environment = environment
        options.root = isolated && joined == nil ? rootfs : nil
        options.workingDirectory = isolated ? workingDirectory : hostWorkingDirectory
        if isolated {
            options.hostName = config.hostname
            options.domainName = domainName
        }
        options.stdin = streams.stdin
        options.stdout = streams.stdout
        options.stderr = streams.stderr
        options.newSession = streams.newSession
        options.controllingTerminal = streams.controllingTTY
        // The container dies with its shim, so nothing outlives a crashed shim unnoticed.
        options.deathSignal = SIGKILL
        let path = isolated ? containerPath : rootfs + containerPath
        let spawned = { Result { () throws(SystemCallError) in try spawnProcess(path, argv: argv, options) } }
        // A process joining the container is born in its PID namespace, as the engine's exec is.
        guard let result = joined.map({ $0.inPIDNamespace(spawned) }) ?? spawned() else {
            return .failure(.init(detail: "join the namespaces of the container: cannot join its PID namespace"))
        }
        switch result {
        case .success(let pid): return .success(pid)
        case .failure(let error): return .failure(failure(error, options: options, program: argv.first ?? containerPath))
        }
    }

    /// The engine's message for a spawn that failed at `error.step` (`steps`: the spawn's filesystem steps).
    private func failure(_ error: SystemCallError, options: SpawnOptions, program: String) -> Shim.StartFailure {
        switch error.step {
        case .bind(let i) where i < (config.bindMounts ?? []).count:
            return mounts.failure((config.bindMounts ?? [])[i], Self.goText(error))
        case .mountNamespace, .bind:
            return .init(detail: "error during container init: unshare mount namespace: \(Self.goText(error))")
        case .filesystem(let i):
            // runc's message for a mount of its spec that failed; for a tmpfs of the container's (`--tmpfs`, which the
            // kernel may refuse: `size=abc`) with runc's own mountError text, the descriptor it mounts through included.
            let step = options.filesystemSteps[i], target = step.target.dropFirst(rootfs.count)
            var reason = Self.goText(error)
            if step.type == "tmpfs" && config.tmpfsMounts.contains(where: { $0.destination == target }) {
                reason = "mount tmpfs:\(target) (via /proc/self/fd/6), flags: 0x\(String(step.flags, radix: 16))"
                    + (step.data.isEmpty ? "" : ", data: \(step.data)") + ": " + reason
            }
            return .init(detail: "error during container init: error mounting \"\(step.source)\" to rootfs at \"\(target)\": \(reason)")
        case .network:
            return .init(detail: "error during container init: network namespace: \(Self.goText(error))")
        case .console:
            return .init(detail: "error during container init: console: \(Self.goText(error))")
        case .user:
            return .init(detail: "error during container init: unable to setup user: \(Self.goText(error))")
        case .capabilities:
            return .init(detail: "unable to apply caps: \(Self.goText(error))")
        case .resourceLimit(let i):
            let resource = i < options.resourceLimits.count ? options.resourceLimits[i].resource : -1
            return .init(detail: "error during container init: error setting rlimits for ready process: "
                         + "error setting rlimit type \(resource): \(Self.goText(error))")
        case .exec:
            let reason = error.errno == ENOENT ? "no such file or directory"
                : (error.errno == EACCES || error.errno == EISDIR ? "permission denied" : error.text)
            return .init(detail: "exec: \"\(program)\": \(reason)")
        }
    }

    /// `--ulimit`, and the capabilities (root only), for the container's process and every process that joins it
    /// (`exec`, health checks), as runc gives an exec the container's.
    func limitProcess(_ options: inout SpawnOptions) {
        options.resourceLimits = Ulimit.list(config.otherOptions["ulimit"] ?? []).map(\.resourceLimit)
        if isolated { options.capabilities = capabilities }
    }

    /// The container's capabilities (Capabilities), every one with `--privileged`.
    var capabilities: UInt64 {
        let last = Capabilities.lastCapability
        if config.otherOptions["privileged"]?.last == "true" { return last >= 63 ? .max : (1 << UInt64(last + 1)) - 1 }
        return Capabilities.set(adds: config.otherOptions["cap-add"] ?? [], drops: config.otherOptions["cap-drop"] ?? [],
                                lastCapability: last)
    }

    /// What a container needs before its process is spawned, found once per start.
    struct Prepared {
        var binds: [SpawnOptions.BindMount]
        var user: ContainerUser
    }

    /// The engine's steps before runc's: a missing `-v` source made, the user found (a refusal is the daemon's, not
    /// runc's), the mount points found.
    func prepare() -> Result<Prepared, Shim.StartFailure> {
        if !isolated && !(config.bindMounts ?? []).isEmpty {
            return .failure(.init(detail: "fake-docker: bind mounts need root (a mount namespace of the container's own)"))
        }
        if !isolated && (!config.tmpfsMounts.isEmpty || config.readOnlyRootfs) {
            return .failure(.init(detail: "fake-docker: --tmpfs and --read-only need root (a mount namespace of the container's own)"))
        }
        if isolated { mounts.makeMountPoints(config.tmpfsMounts) }
        var binds: [SpawnOptions.BindMount]
        switch mounts.prepare() {
        case .failure(let f): return .failure(f)
        case .success(let b): binds = b
        }
        if isolated {
            binds += ContainerFilesystems.etcBinds(
                rootfs: rootfs, containerDirectory: String(rootfs.dropLast("/rootfs".count)),
                mountDestinations: (config.bindMounts ?? []).map(\.destination) + config.tmpfsMounts.map(\.destination))
        }
        switch user() {
        case .failure(let refusal): return .failure(.init(detail: refusal.text, fromDaemon: true))
        case .success(let user): return .success(Prepared(binds: binds, user: user))
        }
    }

    /// An errno as Go prints it (lower case: "not a directory").
    private static func goText(_ error: SystemCallError) -> String {
        let text = error.text
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
