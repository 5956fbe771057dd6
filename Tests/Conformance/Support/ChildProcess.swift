import CProcess
import Foundation
import Glibc
import Synchronization
import Testing

/// How a process ended.
enum Termination: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// The status as a shell reports it (128+N after a signal), which is how the contract states codes.
    var code: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }

    init(waitStatus status: Int32) {
        // WIFEXITED/WTERMSIG are macros Swift cannot import; these are their glibc definitions.
        let low = status & 0x7f
        self = low == 0 ? .exited((status >> 8) & 0xff) : .signaled(low)
    }
}

struct SpawnError: Error, CustomStringConvertible {
    let program: String
    let errno: Int32
    var description: String { "cannot run \(program): \(String(cString: strerror(errno)))" }
}

struct TimeoutError: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// What a finished process left behind.
struct Outcome: Sendable, CustomStringConvertible {
    let termination: Termination
    let stdout: [UInt8]
    let stderr: [UInt8]
    let stdoutCount: Int

    var code: Int32 { termination.code }
    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }

    var description: String { "\(termination); stdout: \(out.debugDescription); stderr: \(err.debugDescription)" }
}

/// One stream read off a child's pipe by its own thread, so that a test can look at what has arrived so
/// far while the child is still running (that is how "live" output is proven).
final class StreamCapture: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var count = 0
        var closed = false
    }
    private let state = Mutex(State())
    private let keep: Bool
    /// The pipe's inode, so a test can find any process that still holds the writing end.
    let pipeInode: UInt64

    init(fd: Int32, keep: Bool) {
        self.keep = keep
        var info = stat()
        fstat(fd, &info)
        pipeInode = UInt64(info.st_ino)
        let thread = Thread { [self] in self.drain(fd) }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func drain(_ fd: Int32) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { buffer.deallocate(); close(fd) }
        while true {
            let n = read(fd, buffer, 1 << 16)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            let chunk = UnsafeRawBufferPointer(start: buffer, count: n)
            state.withLock { s in
                s.count += n
                if keep { s.bytes.append(contentsOf: chunk) }
            }
        }
        state.withLock { $0.closed = true }
    }

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var count: Int { state.withLock { $0.count } }
    var isClosed: Bool { state.withLock { $0.closed } }
}

/// A child process with separate stdout/stderr pipes, spawned over posix_spawn so that it can lead its
/// own process group (a terminal's Ctrl+C is a signal to the whole foreground group, and the tests need to
/// send one the same way).
final class ChildProcess: Sendable {
    private struct State {
        var termination: Termination?
        var reaped = false
        var peakResidentKiB = 0
    }

    let pid: pid_t
    let program: String
    let stdout: StreamCapture
    let stderr: StreamCapture
    private let stdinFD: Mutex<Int32>
    private let state = Mutex(State())
    let leadsGroup: Bool

    struct Options {
        var environment: [String: String]
        var stdin: [UInt8]? = nil
        /// Keep a pipe on stdin open for `write(toStdin:)`; otherwise stdin is /dev/null (or `stdin`).
        var keepStdinOpen = false
        var newProcessGroup = false
        /// Keep the bytes of stdout (off for 100 MiB streams, where only the count matters).
        var keepStdout = true
        /// Sample VmHWM from /proc while the process runs.
        var sampleMemory = false
        /// stdin, stdout and stderr are one pseudo-terminal, as in an interactive shell: `stdout` reads
        /// what the terminal shows, `write(toStdin:)` types, and `stderr` stays empty.
        var terminal = false
    }

    init(_ argv: [String], _ options: Options) throws {
        program = argv[0]
        leadsGroup = options.newProcessGroup
        let spawned = try Self.spawnLock.withLock { _ in try Self.spawn(argv, options) }
        (pid, stdout, stderr) = (spawned.pid, spawned.stdout, spawned.stderr)
        stdinFD = Mutex(spawned.stdin)
        if let data = options.stdin {
            write(toStdin: data)
            if !options.keepStdinOpen { closeStdin() }
        }
        let sampleMemory = options.sampleMemory
        let thread = Thread { [self] in self.reap(sampleMemory: sampleMemory) }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private static func spawn(_ argv: [String], _ options: Options) throws
        -> (pid: pid_t, stdout: StreamCapture, stderr: StreamCapture, stdin: Int32) {
        if options.terminal { return try spawnOnTerminal(argv, options) }
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
        return (pid, StreamCapture(fd: outPipe.read, keep: options.keepStdout),
                StreamCapture(fd: errPipe.read, keep: true), inWrite)
    }

    /// posix_spawnp with the child's signals reset: the test runner may ignore SIGPIPE or block signals,
    /// and a child must start with the defaults, or a container's trap and dockrun's own handling would be
    /// tested under conditions no user has.
    private static func spawn(_ pid: inout pid_t, _ argv: [String], _ options: Options,
                              _ actions: inout posix_spawn_file_actions_t) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
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

    private static func spawnOnTerminal(_ argv: [String], _ options: Options) throws
        -> (pid: pid_t, stdout: StreamCapture, stderr: StreamCapture, stdin: Int32) {
        var master: Int32 = -1, slave: Int32 = -1
        let opened = cp_openpty(&master, &slave)
        guard opened == 0 else { throw SpawnError(program: "openpty", errno: opened) }
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
        return (pid, StreamCapture(fd: master, keep: true), StreamCapture(fd: errPipe.read, keep: true), typing)
    }

    /// Runs to completion, blocking the calling thread: only for set-up and clean-up outside a test's
    /// async flow. Killed after `timeout` seconds so that clean-up cannot hang the suite.
    static func runBlocking(_ argv: [String], environment: [String: String], timeout: Double = 60) -> Outcome? {
        guard let child = try? ChildProcess(argv, Options(environment: environment)) else { return nil }
        let deadline = Date().addingTimeInterval(timeout)
        while child.isRunning || !child.stdout.isClosed || !child.stderr.isClosed {
            if Date() > deadline { child.signal(SIGKILL); return nil }
            usleep(5_000)
        }
        return Outcome(termination: child.termination!, stdout: child.stdout.bytes, stderr: child.stderr.bytes,
                       stdoutCount: child.stdout.count)
    }

    /// Swift's Glibc module does not import pipe2(), so close-on-exec is set after pipe(); holding
    /// `spawnLock` from pipe() to the end of posix_spawn keeps any other test's spawn from inheriting these
    /// ends in between (an inherited write end would delay EOF until an unrelated process exits).
    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw SpawnError(program: "pipe", errno: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private static let spawnLock = Mutex(())

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

    var termination: Termination? { state.withLock { $0.termination } }
    var isRunning: Bool { termination == nil }
    /// The highest VmHWM seen while the process ran, in KiB.
    var peakResidentKiB: Int { state.withLock { $0.peakResidentKiB } }

    /// Sends a signal to the process (never to a reused pid: the lock excludes reaping).
    func signal(_ signal: Int32) {
        state.withLock { s in if !s.reaped { _ = kill(pid, signal) } }
    }

    /// Sends a signal to the process group the child leads, as a terminal does for Ctrl+C.
    func signalGroup(_ signal: Int32) {
        precondition(leadsGroup, "the child was not spawned as a group leader")
        _ = kill(-pid, signal)
    }

    func write(toStdin bytes: [UInt8]) {
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

    func write(toStdin text: String) { write(toStdin: Array(text.utf8)) }

    func closeStdin() {
        stdinFD.withLock { fd in
            if fd >= 0 { close(fd); fd = -1 }
        }
    }

    /// Polls until `condition` holds; a test that would hang fails instead after `timeout` seconds.
    static func eventually(_ what: String, timeout: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try await !condition() {
            if Date() > deadline { throw TimeoutError(what: what) }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// Waits until stdout holds `text` (the container has reached that point), failing if the process
    /// ends first.
    func waitForStdout(_ text: String, timeout: Double = 30) async throws {
        try await Self.eventually("\(program) to print \(text.debugDescription)", timeout: timeout) {
            if stdout.text.contains(text) { return true }
            if !isRunning && stdout.isClosed {
                Issue.record("\(program) ended (\(termination!)) before printing \(text.debugDescription); stdout: \(stdout.text.debugDescription) stderr: \(stderr.text.debugDescription)")
                return true
            }
            return false
        }
    }

    /// Waits for the exit and for both pipes to reach EOF. On timeout the process (or its group) is
    /// killed so no test hangs, and the timeout is an error.
    func finish(timeout: Double = 60) async throws -> Outcome {
        do {
            try await Self.eventually("\(program) to exit", timeout: timeout) {
                !isRunning && stdout.isClosed && stderr.isClosed
            }
        } catch {
            if leadsGroup { signalGroup(SIGKILL) }
            signal(SIGKILL)
            throw TimeoutError(what: "\(program) to exit (running: \(isRunning), stdout open: \(!stdout.isClosed), stderr open: \(!stderr.isClosed)); stdout: \(stdout.text.suffix(500).debugDescription) stderr: \(stderr.text.suffix(2000).debugDescription)")
        }
        closeStdin()
        return Outcome(termination: termination!, stdout: stdout.bytes, stderr: stderr.bytes, stdoutCount: stdout.count)
    }

    /// Waits for the exit only (not for EOF), for checks that must happen the moment the process is gone.
    func waitForExit(timeout: Double = 60) async throws -> Termination {
        do {
            try await Self.eventually("\(program) to exit", timeout: timeout) { !isRunning }
        } catch {
            if leadsGroup { signalGroup(SIGKILL) }
            signal(SIGKILL)
            throw error
        }
        return termination!
    }
}

/// The pids of processes that have `inode` (a pipe) open, from /proc: finds a docker client that outlived
/// the dockrun that should have waited for it.
func processesHoldingPipe(inode: UInt64) -> [pid_t] {
    let target = "pipe:[\(inode)]"
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return false }
        return fds.contains { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) == target
        }
    }
}
