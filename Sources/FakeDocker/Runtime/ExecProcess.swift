import CProcess
import Foundation
import ProcessSpawn

/// A process `docker exec` starts in a running container, as runc's `exec` does: as root, in the container's
/// namespaces (its PID namespace, so that `ps` inside shows it and it dies with the container's PID 1; its mount,
/// UTS and any other namespace of its own, joined through /proc/PID/ns) and under its root (/proc/PID/root, so that
/// it sees what the container mounted). Its parent is this client, outside the container: `PPid` 0 inside, as the
/// engine's shim is. Without root, as the container itself: relative to its root filesystem, the host's names.
/// A detached exec's process outlives this client and is then the child of the container's PID 1 (the engine's
/// stays the shim's): a PID 1 that never reaps leaves it a zombie until the container ends.
struct ExecProcess {
    let pid: pid_t
    let request: ExecRequest
    /// With `-t`: the terminal's master side, relayed to and from this client.
    let master: Int32?

    struct Failure: Error {
        var text: String
    }

    static func runc(_ detail: String) -> Failure { Failure(text: "OCI runtime exec failed: exec failed: " + detail + ": unknown") }

    /// The checks before the process is started, in the engine's order: the user (the daemon's), then runc's: the
    /// working directory (absolute, then there), then the program. The user's ids and the program's path.
    static func check(_ exec: ContainerExec, root: String, program: String) -> Result<(ContainerUser, String), Failure> {
        let user: ContainerUser
        switch exec.user() {
        case .failure(let refusal): return .failure(Failure(text: refusal.text))
        case .success(let u): user = u
        }
        guard exec.workingDirectory.hasPrefix("/") else { return .failure(runc("Cwd must be an absolute path")) }
        var st = stat()
        let found = stat(root + exec.workingDirectory, &st) == 0
        if !found || (st.st_mode & S_IFMT) != S_IFDIR {
            let reason = found || errno == ENOTDIR ? "not a directory" : "no such file or directory"
            return .failure(runc("unable to start container process: chdir to cwd (\"\(exec.workingDirectory)\") set in config.json failed: \(reason)"))
        }
        switch exec.resolve(program) {
        case .failure(let f): return .failure(runc("unable to start container process: " + f.detail))
        case .success(let path): return .success((user, path))
        }
    }

    static func start(in c: Container, exec: ContainerExec, argv: [String], request: ExecRequest) -> Result<ExecProcess, Failure> {
        let user: ContainerUser, program: String
        switch check(exec, root: exec.isolated ? "/proc/\(c.pid)/root" : exec.rootfs, program: argv[0]) {
        case .failure(let f): return .failure(f)
        case .success(let found): (user, program) = found
        }
        var namespaces: ContainerNamespaces?
        if exec.isolated {
            namespaces = ContainerNamespaces(pid: c.pid)
            if namespaces == nil { return .failure(runc("unable to start container process: the container's process is gone")) }
        }
        defer { namespaces?.close() }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        var options = SpawnOptions()
        options.environment = exec.environment
        options.newSession = true
        exec.limitProcess(&options)
        var master: Int32?
        var slave: Int32 = -1
        if request.detach {
            options.stdin = devNull; options.stdout = devNull; options.stderr = devNull
        } else if request.tty {
            var m: Int32 = -1
            let rc = cp_openpty(&m, &slave)
            guard rc == 0 else { return .failure(Failure(text: "open pty: \(String(cString: strerror(rc)))")) }
            master = m
            var rows: UInt16 = 0, columns: UInt16 = 0
            if cp_tty_winsize(1, &rows, &columns) == 0 { _ = cp_tty_set_winsize(m, rows, columns) }
            options.stdin = slave; options.stdout = slave; options.stderr = slave
            options.controllingTerminal = true
        } else {
            options.stdin = request.interactive ? 0 : devNull
        }
        defer { if slave >= 0 { close(slave) } }
        if exec.isolated {
            options.user = .init(uid: user.uid, gid: user.gid, groups: user.processGroups)
            options.workingDirectory = exec.workingDirectory
        } else {
            if !exec.config.user.isEmpty && (user.uid != getuid() || user.gid != getgid()) {
                options.user = .init(uid: user.uid, gid: user.gid, groups: user.processGroups)
            }
            options.workingDirectory = exec.rootfs + exec.workingDirectory
        }
        let spawned: Result<pid_t, SystemCallError>
        if let namespaces {
            options.joinedNamespaces = namespaces.joined
            options.rootDirectory = namespaces.root
            guard let inside = namespaces.inPIDNamespace({
                Result { () throws(SystemCallError) in try spawnProcess(program, argv: argv, options) }
            }) else {
                if let master { close(master) }
                return .failure(runc("unable to start container process: cannot join the container's PID namespace"))
            }
            spawned = inside
        } else {
            spawned = Result { () throws(SystemCallError) in try spawnProcess(exec.rootfs + program, argv: argv, options) }
        }
        switch spawned {
        case .success(let pid): return .success(ExecProcess(pid: pid, request: request, master: master))
        case .failure(let error):
            if let master { close(master) }
            let reason = error.errno == ENOENT ? "no such file or directory"
                : (error.errno == EACCES || error.errno == EISDIR ? "permission denied" : error.text.lowercased())
            return .failure(runc("unable to start container process: exec: \"\(argv[0])\": \(reason)"))
        }
    }

    /// Waits for the process (a detached one is left running) and returns the exec's exit code: the process's, or
    /// 128 + the signal that killed it (137 when the container stopped under it).
    func finish() -> Int32 {
        if request.detach { return 0 }
        if let master { relay(master) }
        return ExitStatus(reaping: pid).code
    }

    /// Copies the terminal's output to stdout (and, with `-i`, stdin to the terminal) until the process ends. Like
    /// the docker CLI's, the local terminal goes raw for `-it` on a terminal.
    private func relay(_ master: Int32) {
        defer { close(master) }
        var saved = [UInt8](repeating: 0, count: 256)
        let raw = request.interactive && isatty(0) == 1 && cp_tty_raw(0, &saved, Int32(saved.count)) == 0
        defer { if raw { _ = cp_tty_restore(0, saved) } }
        let processFD = cp_pidfd_open(pid)
        defer { if processFD >= 0 { close(processFD) } }
        var buffer = [UInt8](repeating: 0, count: 16384)
        var inputOpen = request.interactive
        func copy(from: Int32, to: Int32) -> Bool {
            let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            guard n > 0 else { return n < 0 && errno == EINTR }
            return buffer.withUnsafeBytes { Output.write(to, UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
        }
        while true {
            let fds = [master, processFD] + (inputOpen ? [0] : [])
            guard let ready = HostProcess.pollReadable(fds, until: nil) else { continue }
            if ready == 0 { if !copy(from: master, to: 1) { return } }
            else if ready == 2 { if !copy(from: 0, to: master) { inputOpen = false } }
            else {
                // The process ended: what it wrote last is still in the terminal.
                let flags = fcntl(master, F_GETFL)
                _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
                while copy(from: master, to: 1) {}
                return
            }
        }
    }
}
