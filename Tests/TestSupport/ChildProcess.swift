import CProcess
import Dispatch
import Foundation
import Glibc
import Synchronization

package struct SpawnError: Error, CustomStringConvertible {
    package let program: String
    package let errno: Int32
    package init(program: String, errno: Int32) { (self.program, self.errno) = (program, errno) }
    package var description: String { "cannot run \(program): \(String(cString: strerror(errno)))" }
}

package struct TimeoutError: Error, CustomStringConvertible {
    package let what: String
    package var description: String { "timed out waiting for \(what)" }
}

/// The process ended before it printed what a test waited for.
package struct EndedEarly: Error, CustomStringConvertible {
    package let description: String
}

/// The one way the tests run a process: a child with separate stdout/stderr pipes, both read at once
/// (`StreamCapture`), spawned over posix_spawn so that it can lead its own process group (a terminal's
/// Ctrl+C is a signal to the whole foreground group, and the tests need to send one the same way).
package final class ChildProcess: Sendable {
    private struct State {
        var termination: Termination?
        var reaped = false
        var peakResidentKiB = 0
    }

    package let pid: pid_t
    package let program: String
    package let stdout: StreamCapture
    package let stderr: StreamCapture
    package let leadsGroup: Bool
    /// Spawned with `terminal`: `stdinFD` is then the pseudo-terminal's master.
    private let onTerminal: Bool
    private let stdinFD: Mutex<Int32>
    private let state = Mutex(State())
    /// Left once the child is reaped and both captures have reached EOF: what a blocking wait waits for.
    private let ended = DispatchGroup()

    package struct Options {
        package var environment: [String: String]
        package var stdin: [UInt8]? = nil
        /// Keep a pipe on stdin open for `write(toStdin:)`; otherwise stdin is /dev/null (or `stdin`).
        package var keepStdinOpen = false
        package var newProcessGroup = false
        /// Keep the bytes of stdout (off for 100 MiB streams, where only the count matters).
        package var keepStdout = true
        /// Sample VmHWM from /proc while the process runs.
        package var sampleMemory = false
        /// stdin, stdout and stderr are one pseudo-terminal, as in an interactive shell: `stdout` reads
        /// what the terminal shows, `write(toStdin:)` types, and `stderr` stays empty.
        package var terminal = false
        /// With `terminal`: its size, set before the process starts (a new pseudo-terminal has none: 0 0).
        package var terminalSize: (rows: UInt16, columns: UInt16)? = nil
        /// Signals the process starts with blocked, as a supervisor may start it (dockrun starts its docker client
        /// with TSTP, TTIN and TTOU blocked); every other one starts unblocked.
        package var blockedSignals: [Int32] = []

        package init(environment: [String: String], stdin: [UInt8]? = nil, keepStdinOpen: Bool = false,
                     newProcessGroup: Bool = false, keepStdout: Bool = true, sampleMemory: Bool = false,
                     terminal: Bool = false) {
            (self.environment, self.stdin, self.keepStdinOpen, self.newProcessGroup) =
                (environment, stdin, keepStdinOpen, newProcessGroup)
            (self.keepStdout, self.sampleMemory, self.terminal) = (keepStdout, sampleMemory, terminal)
        }
    }

    package init(_ argv: [String], _ options: Options) throws {
        program = argv[0]
        leadsGroup = options.newProcessGroup
        onTerminal = options.terminal
        let spawned = try Self.spawn(argv, options, drained: ended)
        (pid, stdout, stderr) = (spawned.pid, spawned.stdout, spawned.stderr)
        stdinFD = Mutex(spawned.stdin)
        if let data = options.stdin {
            write(toStdin: data)
            if !options.keepStdinOpen { closeStdin() }
        }
        let sampleMemory = options.sampleMemory
        ended.enter()
        let thread = Thread { [self] in
            self.reap(sampleMemory: sampleMemory)
            self.ended.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Every descriptor made here is close-on-exec from its creation (`cp_pipe_cloexec`, `O_CLOEXEC`,
    /// `cp_openpty`), so a test spawning at the same time in another thread cannot inherit one (an
    /// inherited write end would delay EOF until an unrelated process exits); only the child's dup2'd
    /// 0, 1 and 2 survive its exec.
    private static func spawn(_ argv: [String], _ options: Options, drained: DispatchGroup) throws
        -> (pid: pid_t, stdout: StreamCapture, stderr: StreamCapture, stdin: Int32) {
        if options.terminal { return try spawnOnTerminal(argv, options, drained: drained) }
        let outPipe = try Self.pipe(), errPipe = try Self.pipe()
        var inRead: Int32 = -1, inWrite: Int32 = -1
        if options.stdin != nil || options.keepStdinOpen {
            (inRead, inWrite) = try Self.pipe()
        } else {
            inRead = open("/dev/null", O_RDONLY | O_CLOEXEC)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inRead, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe.write, 2)

        var pid: pid_t = 0
        let rc = Self.spawn(&pid, argv, options, &actions)
        close(inRead); close(outPipe.write); close(errPipe.write)
        guard rc == 0 else {
            close(outPipe.read); close(errPipe.read)
            if inWrite >= 0 { close(inWrite) }
            throw SpawnError(program: argv[0], errno: rc)
        }
        return (pid, StreamCapture(fd: outPipe.read, keep: options.keepStdout, drained: drained),
                StreamCapture(fd: errPipe.read, keep: true, drained: drained), inWrite)
    }

    /// posix_spawnp with the child's signals reset: the test runner may ignore SIGPIPE or block signals,
    /// and a child must start with the defaults, or a container's trap and dockrun's own handling would be
    /// tested under conditions no user has (but for the signals a test starts it with blocked: `blockedSignals`).
    private static func spawn(_ pid: inout pid_t, _ argv: [String], _ options: Options,
                              _ actions: inout posix_spawn_file_actions_t) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), blocked = sigset_t()
        sigfillset(&all)
        sigemptyset(&blocked)
        for signal in options.blockedSignals { sigaddset(&blocked, signal) }
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &blocked)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if options.newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let env = options.environment.map { "\($0.key)=\($0.value)" }
        var child: pid_t = 0
        let rc = Self.withCStrings(argv) { cArgv in
            Self.withCStrings(env) { cEnv in posix_spawnp(&child, argv[0], &actions, &attributes, cArgv, cEnv) }
        }
        pid = child
        return rc
    }

    private static func spawnOnTerminal(_ argv: [String], _ options: Options, drained: DispatchGroup) throws
        -> (pid: pid_t, stdout: StreamCapture, stderr: StreamCapture, stdin: Int32) {
        var master: Int32 = -1, slave: Int32 = -1
        let opened = cp_openpty(&master, &slave)
        guard opened == 0 else { throw SpawnError(program: "openpty", errno: opened) }
        if let size = options.terminalSize { _ = cp_tty_set_winsize(master, size.rows, size.columns) }
        let typing = fcntl(master, F_DUPFD_CLOEXEC, 0)
        let errPipe = try Self.pipe()
        close(errPipe.write)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_adddup2(&actions, slave, fd) }
        var pid: pid_t = 0
        let rc = Self.spawn(&pid, argv, options, &actions)
        close(slave)
        guard rc == 0 else {
            close(master); close(typing); close(errPipe.read)
            throw SpawnError(program: argv[0], errno: rc)
        }
        // The master reads EIO once the last holder of the terminal has closed it: the capture's EOF.
        return (pid, StreamCapture(fd: master, keep: true, drained: drained),
                StreamCapture(fd: errPipe.read, keep: true, drained: drained), typing)
    }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard cp_pipe_cloexec(&fds) == 0 else { throw SpawnError(program: "pipe", errno: errno) }
        return (fds[0], fds[1])
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }

    /// Waits without reaping first, so the pid cannot be reused while memory is sampled or a signal is
    /// sent; reaping and signalling both happen under the lock.
    private func reap(sampleMemory: Bool) {
        var info = siginfo_t()
        if sampleMemory {
            while true {
                let r = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
                if r == 0 && info._sifields._sigchld.si_pid == pid { break }
                if r != 0 && errno != EINTR { break }
                if let kib = Self.peakResident(of: pid) {
                    state.withLock { $0.peakResidentKiB = max($0.peakResidentKiB, kib) }
                }
                usleep(2_000)
                info = siginfo_t()
            }
        } else {
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        }
        state.withLock { s in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            s.termination = Termination(waitStatus: status)
            s.reaped = true
        }
    }

    private static func peakResident(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    package var termination: Termination? { state.withLock { $0.termination } }
    package var isRunning: Bool { termination == nil }
    /// The highest VmHWM seen while the process ran, in KiB.
    package var peakResidentKiB: Int { state.withLock { $0.peakResidentKiB } }

    /// Sends a signal to the process (never to a reused pid: the lock excludes reaping).
    /// The argv of each of this process's own children, read from /proc (empty once it has ended).
    package var children: [[String]] {
        let list = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return list.split(separator: " ").map { child in
            ((try? String(contentsOfFile: "/proc/\(child)/cmdline", encoding: .utf8)) ?? "")
                .split(separator: "\0").map(String.init)
        }
    }

    package func signal(_ signal: Int32) {
        state.withLock { s in if !s.reaped { _ = kill(pid, signal) } }
    }

    /// Sends a signal to the process group the child leads, as a terminal does for Ctrl+C.
    package func signalGroup(_ signal: Int32) {
        precondition(leadsGroup, "the child was not spawned as a group leader")
        _ = kill(-pid, signal)
    }

    /// Resizes the pseudo-terminal (`terminal`) and tells the process with a WINCH, as a terminal emulator does (the
    /// terminal is not the process's controlling one, so the kernel tells no one).
    package func resizeTerminal(rows: UInt16, columns: UInt16) {
        precondition(onTerminal, "the child was not spawned on a terminal")
        stdinFD.withLock { fd in if fd >= 0 { _ = cp_tty_set_winsize(fd, rows, columns) } }
        signal(SIGWINCH)
    }

    package func write(toStdin bytes: [UInt8]) {
        stdinFD.withLock { fd in
            guard fd >= 0 else { return }
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
        }
    }

    package func write(toStdin text: String) { write(toStdin: Array(text.utf8)) }

    package func closeStdin() {
        stdinFD.withLock { fd in
            if fd >= 0 { close(fd); fd = -1 }
        }
    }

    // MARK: Waiting

    /// How long a test waits for an event that will come before it calls the wait hung: a guard, never a measure. On
    /// the real engine, with every test of the suite starting containers at once on two cores, a container's first
    /// line took more than 30 s to arrive in a CI run.
    package static let patience: Double = 120

    /// Polls until `condition` holds; a test that would hang fails instead after `timeout` seconds.
    package static func eventually(_ what: String, timeout: Double = patience,
                                   _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try await !condition() {
            if Date() > deadline { throw TimeoutError(what: what) }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// Waits until stdout holds `text` (the container has reached that point), failing if the process
    /// ends first. (It throws rather than records an issue: this target is built outside the tests too,
    /// by bench.py's release build, where the Testing module does not exist.)
    package func waitForStdout(_ text: String, timeout: Double = patience) async throws {
        var ended = false
        do {
            try await Self.eventually("\(program) to print \(text.debugDescription)", timeout: timeout) {
                if stdout.text.contains(text) { return true }
                ended = !isRunning && stdout.isClosed
                return ended
            }
        } catch let timeout as TimeoutError {
            // What it printed instead, to tell a hang from a wrong path.
            throw TimeoutError(what: "\(timeout.what) (running: \(isRunning)); stdout: \(stdout.text.suffix(1000).debugDescription) "
                                   + "stderr: \(stderr.text.suffix(1000).debugDescription)")
        }
        if ended {
            throw EndedEarly(description: "\(program) ended (\(termination!)) before printing \(text.debugDescription); stdout: \(stdout.text.debugDescription) stderr: \(stderr.text.debugDescription)")
        }
    }

    /// Waits for the exit and for both pipes to reach EOF. On timeout the process (or its group) is
    /// killed so no test hangs, and the timeout is an error.
    package func finish(timeout: Double = patience) async throws -> Outcome {
        do {
            try await Self.eventually("\(program) to exit", timeout: timeout) {
                !isRunning && stdout.isClosed && stderr.isClosed
            }
        } catch {
            throw killAfterTimeout()
        }
        return outcome()
    }

    /// Runs to completion, blocking the calling thread: for set-up, clean-up and tests that are not
    /// async. As `finish`, it kills the process after `timeout` seconds and throws.
    package static func runBlocking(_ argv: [String], _ options: Options, timeout: Double = patience) throws -> Outcome {
        let child = try ChildProcess(argv, options)
        guard child.ended.wait(timeout: .now() + timeout) == .success else { throw child.killAfterTimeout() }
        return child.outcome()
    }

    /// Waits for the exit only (not for EOF), for checks that must happen the moment the process is gone.
    package func waitForExit(timeout: Double = patience) async throws -> Termination {
        do {
            try await Self.eventually("\(program) to exit", timeout: timeout) { !isRunning }
        } catch {
            forceKill()
            throw error
        }
        return termination!
    }

    private func outcome() -> Outcome {
        closeStdin()
        return Outcome(termination: termination!, stdout: stdout.bytes, stderr: stderr.bytes, stdoutCount: stdout.count)
    }

    private func killAfterTimeout() -> TimeoutError {
        forceKill()
        return TimeoutError(what: "\(program) to exit (running: \(isRunning), stdout open: \(!stdout.isClosed), stderr open: \(!stderr.isClosed)); stdout: \(stdout.text.suffix(500).debugDescription) stderr: \(stderr.text.suffix(2000).debugDescription)")
    }

    /// Kills the process, and the group it leads with it, so that nothing a test started outlives it.
    private func forceKill() {
        if leadsGroup { signalGroup(SIGKILL) }
        signal(SIGKILL)
    }
}
