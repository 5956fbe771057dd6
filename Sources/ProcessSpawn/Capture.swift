import CProcess
import Glibc

/// Which of a captured child's output streams a chunk came from.
public enum CapturedStream: Sendable {
    case stdout, stderr
}

/// How long a capture waits and how much it keeps.
public struct CaptureLimits: Sendable {
    /// Bytes kept of each stream (the rest is read and dropped, so the child never stalls on a full pipe).
    public var bytes = Int.max
    /// Seconds the child may run; then it is killed (SIGKILL, and its process group with it when it leads one).
    public var killAfter: Double?
    /// Seconds to wait, once the child has exited, for its output to reach EOF: a process it left behind may hold
    /// a pipe for ever. nil: until EOF.
    public var outputAfterExit: Double?

    public init(bytes: Int = .max, killAfter: Double? = nil, outputAfterExit: Double? = nil) {
        (self.bytes, self.killAfter, self.outputAfterExit) = (bytes, killAfter, outputAfterExit)
    }
}

/// What a captured child left: how it ended, and its output.
public struct CapturedOutput: Sendable {
    public var status: ExitStatus
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// It ran past `killAfter` and was killed.
    public var killed = false
}

/// The one process capture: starts `argv` with `options` (its stdin, stdout and stderr replaced) and, in this thread,
/// feeds it `stdin` (nil: /dev/null; empty: EOF at once) while reading its stdout and stderr together with poll(2),
/// so that neither pipe can fill and stall it, until it has exited (its pidfd) and both pipes are at EOF — that is,
/// until everything that held its output has ended too, within `limits`. For a caller that watches it live:
/// `started` is told the PID before anything is read, `received` each chunk as it arrives, `exited` the status as
/// soon as it is reaped (its output may stay open longer).
/// Throws the errno of a failed pipe, spawn or pidfd_open; the child is then reaped already.
public func captureOutput(_ argv: [String], _ options: SpawnOptions = SpawnOptions(), stdin: [UInt8]? = nil,
                          limits: CaptureLimits = CaptureLimits(), started: (pid_t) -> Void = { _ in },
                          received: (CapturedStream, ArraySlice<UInt8>) -> Void = { _, _ in },
                          exited: (ExitStatus) -> Void = { _ in })
    throws(SystemCallError) -> CapturedOutput {
    var opened: [Int32] = []
    defer { opened.forEach { close($0) } }
    func pipe() throws(SystemCallError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard cp_pipe_cloexec(&fds) == 0 else { throw SystemCallError(errno: errno) }
        opened += fds
        return (fds[0], fds[1])
    }
    let out = try pipe(), err = try pipe()
    var input: (read: Int32, write: Int32)
    if stdin == nil {
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard null >= 0 else { throw SystemCallError(errno: errno) }
        opened.append(null)
        input = (null, -1)
    } else {
        input = try pipe()
    }
    var options = options
    (options.stdin, options.stdout, options.stderr) = (input.read, out.write, err.write)
    let pid = try spawnProcess(argv[0], argv: argv, options)
    // The child's ends are the child's alone: our copies would hold off the EOF.
    for fd in [input.read, out.write, err.write] { close(fd) }
    opened = [out.read, err.read] + (input.write >= 0 ? [input.write] : [])
    let pidfd = cp_pidfd_open(pid)
    guard pidfd >= 0 else {
        let failure = SystemCallError(errno: errno)
        _ = kill(pid, SIGKILL)
        _ = ExitStatus(reaping: pid)
        throw failure
    }
    opened.append(pidfd)
    started(pid)

    var session = CaptureSession(pid: pid, pidfd: pidfd, leadsGroup: options.processGroup == .own,
                                 stdout: out.read, stderr: err.read, stdin: input.write, input: stdin ?? [],
                                 limits: limits)
    let result = session.run(received, exited)
    opened = session.stillOpen
    return result
}

/// The poll loop of one capture.
private struct CaptureSession {
    let pid: pid_t
    let pidfd: Int32
    let leadsGroup: Bool
    var streams: [(fd: Int32, stream: CapturedStream, bytes: [UInt8])]
    var stdin: Int32
    let input: [UInt8]
    var written = 0
    /// A write met a stdin the child had closed (and raised a SIGPIPE, held).
    var brokenPipe = false
    let limits: CaptureLimits
    var status: ExitStatus?
    var killed = false

    init(pid: pid_t, pidfd: Int32, leadsGroup: Bool, stdout: Int32, stderr: Int32, stdin: Int32, input: [UInt8],
         limits: CaptureLimits) {
        (self.pid, self.pidfd, self.leadsGroup, self.stdin, self.input, self.limits) =
            (pid, pidfd, leadsGroup, stdin, input, limits)
        streams = [(stdout, .stdout, []), (stderr, .stderr, [])]
        if stdin >= 0 { _ = fcntl(stdin, F_SETFL, fcntl(stdin, F_GETFL) | O_NONBLOCK) }
    }

    /// The descriptors the loop has not closed (the pidfd, a pipe still held past `outputAfterExit`).
    var stillOpen: [Int32] { [pidfd] + streams.map(\.fd).filter { $0 >= 0 } + (stdin >= 0 ? [stdin] : []) }

    mutating func run(_ received: (CapturedStream, ArraySlice<UInt8>) -> Void, _ exited: (ExitStatus) -> Void)
        -> CapturedOutput {
        // A write to a stdin the child has closed must fail with EPIPE, not kill the caller: SIGPIPE is held for
        // this thread while there is input to write, and the one such a write raised (sent to this thread) is taken.
        var pipeSignal = sigset_t(), previous = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        if stdin >= 0 && input.isEmpty { closeStdin() }
        if stdin >= 0 { pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous) }
        defer {
            if brokenPipe {
                var none = timespec()
                _ = sigtimedwait(&pipeSignal, nil, &none)
            }
            if !input.isEmpty { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        }
        let start = Self.now()
        var exitedAt: Double?
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while status == nil || streams.contains(where: { $0.fd >= 0 }) {
            // Before the exit, the kill's deadline (once killed, the exit is near); after it, the output's.
            var deadline: Double?
            if let exitedAt { deadline = limits.outputAfterExit.map { exitedAt + $0 } }
            else if !killed { deadline = limits.killAfter.map { start + $0 } }
            if let deadline, Self.now() >= deadline {
                if status != nil { break }
                kill()
                continue
            }
            var entries = streams.filter { $0.fd >= 0 }.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if status == nil { entries.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            if stdin >= 0 { entries.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
            let timeout = deadline.map { Int32(max(0, min(Double(Int32.max), ($0 - Self.now()) * 1000 + 1))) } ?? -1
            if Glibc.poll(&entries, nfds_t(entries.count), timeout) < 0 && errno != EINTR { break }
            for entry in entries where entry.revents != 0 {
                if entry.fd == pidfd {
                    status = ExitStatus(reaping: pid)
                    exitedAt = Self.now()
                    exited(status!)
                } else if entry.fd == stdin {
                    feed()
                } else if let index = streams.firstIndex(where: { $0.fd == entry.fd }) {
                    read(index, into: &buffer, received)
                }
            }
        }
        return CapturedOutput(status: status!, stdout: streams[0].bytes, stderr: streams[1].bytes, killed: killed)
    }

    private mutating func read(_ index: Int, into buffer: inout [UInt8],
                               _ received: (CapturedStream, ArraySlice<UInt8>) -> Void) {
        let n = buffer.withUnsafeMutableBytes { Glibc.read(streams[index].fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return }
        guard n > 0 else {
            close(streams[index].fd)
            streams[index].fd = -1
            return
        }
        let room = max(0, limits.bytes - streams[index].bytes.count)
        streams[index].bytes += buffer[..<min(n, room)]
        received(streams[index].stream, buffer[..<n])
    }

    private mutating func feed() {
        let n = input[written...].withUnsafeBytes { write(stdin, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return }
        if n < 0 && errno == EPIPE { brokenPipe = true }
        if n > 0 { written += n }
        if n <= 0 || written == input.count { closeStdin() }
    }

    private mutating func closeStdin() {
        close(stdin)
        stdin = -1
    }

    private mutating func kill() {
        if leadsGroup { _ = Glibc.kill(-pid, SIGKILL) }
        _ = cp_pidfd_send_signal(pidfd, SIGKILL)
        killed = true
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
