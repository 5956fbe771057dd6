import Glibc

/// The I/O shell around `Supervisor`: it starts the docker commands the machine asks for and
/// feeds it every event from one poll(2) loop — signals (signalfd), the cidfile (inotify on its
/// directory), and each child's end (its pidfd) and output (pipes). Nothing here decides.
final class Supervision {
    /// How long the end of the container may lag behind an event that should end it (the client's
    /// exit, a finished stop) before dockrun acts: `docker wait` answers within milliseconds of the
    /// container's end, but its CLI takes a while to start on a loaded machine.
    static let waitGraceMilliseconds: Int64 = 3000
    /// docker's messages are one line; anything beyond this is not read into memory.
    static let capturedBytesLimit = 16 * 1024

    private enum Role {
        case client, wait, stop, kill(Int32?), commit, remove
    }

    private struct Helper {
        let role: Role
        let child: System.Child
        var stdout: Int32?
        var stderr: Int32?
        var output: [UInt8] = []
        var errors: [UInt8] = []
    }

    private var machine: Supervisor
    private let docker: String
    private let request: RunRequest
    private let signals: Int32
    private let debug: Bool
    private var helpers: [Helper] = []
    private var deadline: Int64?
    private var exitCode: Int32?

    /// The cidfile docker writes, and the directory watched for it; nil when dockrun must not
    /// read it (a user's file that existed before the start: docker refuses it, and its content
    /// names some older container).
    private var cidfile: (path: String, directory: String, name: String)?
    private var watch: Int32?
    private var privateDirectory: String?

    init(request: RunRequest, docker: String, signals: Int32, debug: Bool) {
        self.machine = Supervisor(remove: request.remove, commit: request.commit)
        self.request = request
        self.docker = docker
        self.signals = signals
        self.debug = debug
    }

    func run() -> Int32 {
        defer { cleanUp() }
        do throws(DockrunError) {
            let cidfilePath = try prepareCidfile()
            try startClient(cidfilePath)
        } catch {
            message(error.message)
            return error.exitCode
        }
        while exitCode == nil { waitForEvents() }
        for helper in helpers { _ = finish(helper) }
        helpers = []
        return exitCode ?? 125
    }

    // MARK: start

    private func prepareCidfile() throws(DockrunError) -> String {
        let path: String
        if let user = request.cidfile {
            path = user
            if System.exists(user) { return user }
        } else {
            do {
                privateDirectory = try System.makePrivateDirectory()
            } catch {
                throw .system("cannot create a private temporary directory: \(error.text)")
            }
            path = privateDirectory! + "/cid"
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        do {
            watch = try System.watchDirectory(directory)
        } catch {
            throw .system("cannot watch \(directory) for the container ID file: \(error.text)")
        }
        cidfile = (path, directory, name)
        return path
    }

    private func startClient(_ cidfilePath: String) throws(DockrunError) {
        let command = DockerCommand.run(request, cidfile: cidfilePath)
        // The client keeps the terminal's Ctrl+C and hangups ignored (Go keeps an inherited
        // SIG_IGN for INT and HUP) and, with --sig-proxy=false, forwards nothing: dockrun alone
        // turns signals into one stop. Off a terminal it gets a process group of its own, so a
        // supervisor's `kill -TERM -PGID` reaches dockrun alone; on a terminal it stays in the
        // foreground group, where it may read the terminal and put it in raw mode for -t.
        var options = System.SpawnOptions()
        options.ownProcessGroup = !System.isTerminal(0)
        options.ignoredSignals = [SIGINT, SIGHUP]
        trace(command)
        do {
            let child = try System.spawn(docker, command.arguments, options)
            helpers.append(Helper(role: .client, child: child))
        } catch {
            switch error.errno {
            case ENOENT, ENOTDIR: throw .dockerNotFound(docker)
            case EACCES: throw .dockerNotExecutable(docker)
            default: throw .system("cannot start \(docker): \(error.text)")
            }
        }
    }

    // MARK: the loop

    private func waitForEvents() {
        var timeout: Int32 = -1
        if let deadline { timeout = Int32(clamping: max(0, deadline - System.monotonicMilliseconds())) }
        var fds = [signals]
        if let watch { fds.append(watch) }
        let helperFdsStart = fds.count
        for helper in helpers {
            fds.append(helper.child.pidfd)
            if let out = helper.stdout { fds.append(out) }
            if let err = helper.stderr { fds.append(err) }
        }
        let ready = System.poll(fds, timeoutMilliseconds: timeout)

        var events: [Supervisor.Event] = []
        if ready[0] { events += System.pendingSignals(signals).map { .signal($0) } }
        if let watch, ready[1], let cidfile, System.drainWatch(watch, mentioning: cidfile.name) {
            events += containerIDEvent()
        }
        var index = helperFdsStart
        var exited: [Int] = []
        for position in helpers.indices {
            let pidfdReady = ready[index]
            index += 1
            if helpers[position].stdout != nil {
                if ready[index] { drain(&helpers[position], stdout: true) }
                index += 1
            }
            if helpers[position].stderr != nil {
                if ready[index] { drain(&helpers[position], stdout: false) }
                index += 1
            }
            if pidfdReady { exited.append(position) }
        }
        for position in exited.reversed() {
            let helper = helpers.remove(at: position)
            if case .client = helper.role { events += containerIDEvent() }
            events.append(finish(helper))
        }
        if let deadline, System.monotonicMilliseconds() >= deadline {
            self.deadline = nil
            events.append(.waitDeadlinePassed)
        }
        for event in events where exitCode == nil { apply(event) }
    }

    /// The container ID once docker has written all of it; nothing while the file is absent,
    /// empty or partial.
    private func containerIDEvent() -> [Supervisor.Event] {
        guard machine.phase == .starting, let cidfile,
              let text = System.readSmallFile(cidfile.path), let id = ContainerID(cidfileContents: text)
        else { return [] }
        if let watch {
            close(watch)
            self.watch = nil
        }
        return [.containerID(id)]
    }

    private func drain(_ helper: inout Helper, stdout: Bool) {
        guard let fd = stdout ? helper.stdout : helper.stderr else { return }
        let open = stdout
            ? System.readAvailable(fd, into: &helper.output, limit: Self.capturedBytesLimit)
            : System.readAvailable(fd, into: &helper.errors, limit: Self.capturedBytesLimit)
        if !open {
            close(fd)
            if stdout { helper.stdout = nil } else { helper.stderr = nil }
        }
    }

    /// Reaps a helper, collects the rest of its output, and says what its end means.
    private func finish(_ helper: Helper) -> Supervisor.Event {
        var helper = helper
        let status = System.reap(helper.child.pid)
        close(helper.child.pidfd)
        drain(&helper, stdout: true)
        drain(&helper, stdout: false)
        for fd in [helper.stdout, helper.stderr].compactMap({ $0 }) { close(fd) }
        let problem = Self.firstLine(helper.errors) ?? "docker exited with status \(status.code)"
        return Self.ended(helper.role, status: status, output: helper.output, problem: problem)
    }

    private static func ended(_ role: Role, status: ExitStatus, output: [UInt8], problem: String) -> Supervisor.Event {
        let ok = status == .exited(0)
        switch role {
        case .client: return .clientExited(status)
        case .wait:
            if ok, let line = firstLine(output), let code = Int32(line) { return .waitReturned(.code(code)) }
            return .waitReturned(.failed(problem))
        case .stop: return .stopFinished(ok: ok)
        case .kill(let signal): return .killFinished(signal: signal, ok: ok)
        case .commit: return .commitFinished(ok: ok, message: problem)
        case .remove: return .removeFinished(ok: ok, message: problem)
        }
    }

    private static func firstLine(_ bytes: [UInt8]) -> String? {
        let line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }

    // MARK: actions

    private func apply(_ event: Supervisor.Event) {
        for action in machine.handle(event) {
            switch action {
            case .spawnWait(let id): startHelper(.wait, .wait(id))
            case .spawnStop(let id): startHelper(.stop, .stop(id))
            case .spawnKill(let id, let signal): startHelper(.kill(signal), .kill(id, signal: signal))
            case .spawnCommit(let id, let target): startHelper(.commit, .commit(id, target))
            case .spawnRemove(let id): startHelper(.remove, .remove(id))
            case .armWaitDeadline: deadline = System.monotonicMilliseconds() + Self.waitGraceMilliseconds
            case .writeMessage(let text): message(text)
            case .exit(let code): exitCode = code
            }
        }
    }

    /// Helpers read nothing, keep their stdout off dockrun's (it carries only the container's
    /// output; `wait`'s is the exit code, read here) and their stderr for dockrun to report.
    private func startHelper(_ role: Role, _ command: DockerCommand) {
        trace(command)
        var opened: [Int32] = []
        defer { opened.forEach { close($0) } }
        do throws(System.Failure) {
            var options = System.SpawnOptions()
            options.stdin = try System.openDevNull(O_RDONLY)
            opened.append(options.stdin)
            var stdoutPipe: (read: Int32, write: Int32)?
            if case .wait = role {
                let pipe = try System.pipe()
                stdoutPipe = pipe
                options.stdout = pipe.write
                opened.append(pipe.write)
            } else {
                options.stdout = try System.openDevNull(O_WRONLY)
                opened.append(options.stdout)
            }
            let stderrPipe = try System.pipe()
            options.stderr = stderrPipe.write
            opened.append(stderrPipe.write)
            do {
                let child = try System.spawn(docker, command.arguments, options)
                helpers.append(Helper(role: role, child: child, stdout: stdoutPipe?.read, stderr: stderrPipe.read))
            } catch {
                if let read = stdoutPipe?.read { close(read) }
                close(stderrPipe.read)
                throw error
            }
        } catch {
            // Told as the helper's failure, so the machine takes its usual fallback (stop → kill,
            // failed wait → the client's code...).
            let reason = "cannot start \(docker): \(error.text)"
            apply(Self.ended(role, status: .exited(127), output: [], problem: reason))
        }
    }

    // MARK: output and clean-up

    private func message(_ text: String) { System.write(2, "dockrun: \(text)\n") }

    private func trace(_ command: DockerCommand) {
        if debug { message("exec: \(DockerCommand.shellQuoted(docker)) \(command)") }
    }

    /// Runs on every exit path: the private directory goes; a user's cidfile goes only when the
    /// container it names was removed by dockrun.
    private func cleanUp() {
        if let watch { close(watch) }
        if let privateDirectory {
            unlink(privateDirectory + "/cid")
            rmdir(privateDirectory)
        }
        if let user = request.cidfile, cidfile != nil, machine.removedContainer { unlink(user) }
    }
}
