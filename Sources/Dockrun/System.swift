import CProcess
import DockerSyntax
import Glibc
import ProcessSpawn

/// The system calls of dockrun, in one place: spawning with pidfds, pipes, signalfd, inotify, files and the
/// private directory, clocks and waits. The other files call these (and only close what these opened).
enum System {
    typealias Failure = SystemCallError

    struct Child {
        let pid: pid_t
        /// Readable once the process has exited; it is reaped then.
        let pidfd: Int32
    }

    /// Starts `program` (argv[0] is its name as given) with a pidfd to watch it by.
    static func spawn(_ program: String, _ arguments: [String], _ options: SpawnOptions) throws(Failure) -> Child {
        let pid = try spawnProcess(program, argv: [program] + arguments, options)
        let pidfd = cp_pidfd_open(pid)
        guard pidfd >= 0 else {
            let error = errno
            Glibc.kill(pid, SIGKILL)
            _ = ExitStatus(reaping: pid)
            throw Failure(errno: error)
        }
        return Child(pid: pid, pidfd: pidfd)
    }

    /// Reaps a child that has ended (its pidfd is readable) or was just killed, so this does not wait long.
    static func reap(_ child: Child) -> ExitStatus {
        ExitStatus(reaping: child.pid)
    }

    /// Ends a child that is still running (SIGKILL through its pidfd, which cannot hit a recycled PID).
    static func kill(_ child: Child) {
        _ = cp_pidfd_send_signal(child.pidfd, SIGKILL)
    }

    /// A docker process that is not the client: stdin on /dev/null, stdout read by dockrun (`readStdout`) or on
    /// /dev/null (it belongs to the container's output), stderr read by dockrun (docker's message); a process
    /// group of its own, so that a signal to dockrun's group does not reach it. Returns the read ends.
    static func spawnHelper(_ docker: String, _ arguments: [String], readStdout: Bool) throws(Failure)
        -> (child: Child, stdout: Int32?, stderr: Int32) {
        var opened: [Int32] = []
        defer { opened.forEach { close($0) } }
        var options = SpawnOptions()
        options.processGroup = .own
        let stdin = try openDevNull(O_RDONLY)
        options.stdin = stdin
        opened.append(stdin)
        var stdoutRead: Int32?
        if readStdout {
            let pipe = try pipe()
            stdoutRead = pipe.read
            options.stdout = pipe.write
            opened.append(pipe.write)
        } else {
            let stdout = try openDevNull(O_WRONLY)
            options.stdout = stdout
            opened.append(stdout)
        }
        let stderrPipe: (read: Int32, write: Int32)
        do {
            stderrPipe = try pipe()
        } catch {
            if let stdoutRead { close(stdoutRead) }
            throw error
        }
        options.stderr = stderrPipe.write
        opened.append(stderrPipe.write)
        do {
            return (try spawn(docker, arguments, options), stdoutRead, stderrPipe.read)
        } catch {
            if let stdoutRead { close(stdoutRead) }
            close(stderrPipe.read)
            throw error
        }
    }

    /// A close-on-exec pipe whose read end does not block (the write end is the child's stdout or
    /// stderr, left blocking as a program expects).
    static func pipe() throws(Failure) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard cp_pipe_cloexec(&fds) == 0 else { throw Failure(errno: errno) }
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        return (fds[0], fds[1])
    }

    static func openDevNull(_ flags: Int32) throws(Failure) -> Int32 {
        let fd = open("/dev/null", flags | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(errno: errno) }
        return fd
    }

    /// Reads what is available without blocking; returns false at end of file.
    static func readAvailable(_ fd: Int32, into buffer: inout [UInt8], limit: Int) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer += chunk[..<min(n, max(0, limit - buffer.count))]
                continue
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            return errno == EAGAIN
        }
    }

    /// The signals are blocked (so they are never delivered asynchronously) and read from the
    /// returned descriptor instead. Call before any thread exists.
    static func signalDescriptor(_ signals: [Int32]) throws(Failure) -> Int32 {
        let fd = signals.withUnsafeBufferPointer { cp_signalfd($0.baseAddress, Int32($0.count)) }
        guard fd >= 0 else { throw Failure(errno: errno) }
        return fd
    }

    /// Every pending signal, in order of arrival.
    static func pendingSignals(_ fd: Int32) -> [Int32] {
        var signals: [Int32] = []
        while true {
            let signal = cp_signalfd_read(fd, nil)
            if signal == 0 { return signals }
            signals.append(signal)
        }
    }

    /// An inotify descriptor watching the directory for writes, creations and renames.
    static func watchDirectory(_ path: String) throws(Failure) -> Int32 {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw Failure(errno: errno) }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_MOVED_TO)
        guard inotify_add_watch(fd, path, mask) >= 0 else {
            let error = errno
            close(fd)
            throw Failure(errno: error)
        }
        return fd
    }

    /// Drains an inotify descriptor; true when an event names `file` (or events were lost).
    static func drainWatch(_ fd: Int32, mentioning file: String) -> Bool {
        var mentioned = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return mentioned }
            // struct inotify_event: int wd; uint32 mask; uint32 cookie; uint32 len; char name[len]
            var offset = 0
            while offset + 16 <= n {
                let field = { (at: Int) in
                    buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self) }
                }
                let mask = field(4), length = Int(field(12))
                let nameBytes = buffer[(offset + 16)..<min(n, offset + 16 + length)].prefix { $0 != 0 }
                if mask & UInt32(IN_Q_OVERFLOW) != 0 || nameBytes.elementsEqual(file.utf8) { mentioned = true }
                offset += 16 + length
            }
        }
    }

    /// The whole file if it exists and is small, else nil.
    static func readSmallFile(_ path: String) -> String? { readSmallFile(path, limit: 256) }

    /// The file's first `limit` bytes (the whole of a small file) if it exists, else nil.
    static func readSmallFile(_ path: String, limit: Int) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            count += n
        }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }

    /// Deletes a file; one that is already gone is no error.
    static func removeFile(_ path: String) { unlink(path) }

    /// Deletes an empty directory (dockrun's private one).
    static func removeDirectory(_ path: String) { rmdir(path) }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Where a run's private directory goes: `dockrun-RUN` under `$TMPDIR` (else `/tmp`), RUN being the run's random
    /// ID (16 hex digits, unguessable), so the path is known — and told to the guardian — before the directory exists.
    static func privateDirectoryPath(run: String) -> String {
        var base = environment("TMPDIR") ?? "/tmp"
        if base.isEmpty { base = "/tmp" }
        return "\(base)/dockrun-\(run)"
    }

    /// Makes the directory, only this user can enter it (0700, whatever the umask); fails if anything is at `path`.
    static func makePrivateDirectory(_ path: String) throws(Failure) {
        guard mkdir(path, 0o700) == 0 else { throw Failure(errno: errno) }
        guard chmod(path, 0o700) == 0 else {
            let error = errno
            rmdir(path)
            throw Failure(errno: error)
        }
    }

    /// The running dockrun's own path, to start its guardian: the link's target when it still exists (so `ps`
    /// shows a name), else /proc/self/exe itself (a binary replaced while it runs).
    static func ownExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "/proc/self/exe" }
        let path = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? "/proc/self/exe" : path
    }

    /// This run's labels: a random run ID, dockrun's PID, the host name, the time now, dockrun's own identity (boot
    /// ID and start time) and whether the run has `--rm`.
    static func runLabels(remove: Bool) -> RunLabels {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return RunLabels(run: String(repeating: "0", count: 16 - hex.count) + hex, pid: getpid(), host: hostName(),
                         started: LogTime.now().rfc3339Seconds, identity: processIdentity(getpid()), remove: remove)
    }

    /// The host's name, as the `io.dockrun.host` label says it.
    static func hostName() -> String {
        var host = [CChar](repeating: 0, count: 256)
        return cp_hostname(&host, host.count) == 0
            ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
    }

    /// The kernel's boot ID, new at every boot; nil when /proc does not say it.
    static func bootID() -> String? {
        readSmallFile("/proc/sys/kernel/random/boot_id").flatMap(ProcessIdentity.boot(bootIDFile:))
    }

    /// Process `pid`'s identity (the boot ID and its start time), from /proc; nil when it is not a living process.
    static func processIdentity(_ pid: pid_t) -> ProcessIdentity? {
        guard let boot = bootID(), case .living(let ticks) = processStat(pid) else { return nil }
        return ProcessIdentity(boot: boot, startTicks: ticks)
    }

    /// What /proc/PID/stat says of process `pid`; nil when there is no such process, or /proc does not show it
    /// (another user's under `hidepid`): `processExists` tells the two apart.
    static func processStat(_ pid: pid_t) -> ProcessIdentity.Stat? {
        readSmallFile("/proc/\(pid)/stat", limit: 1024).flatMap(ProcessIdentity.stat)
    }

    /// Whether a process `pid` exists (kill(pid, 0) succeeds, or is refused: it exists but is another user's).
    static func processExists(_ pid: pid_t) -> Bool {
        pid > 0 && (Glibc.kill(pid, 0) == 0 || errno == EPERM)
    }

    /// When this boot began on the realtime clock, in nanoseconds after the epoch: the realtime clock less the boot
    /// clock (the one /proc/PID/stat's start times count), as the kernel works out /proc/stat's `btime` (which it
    /// rounds down to the second).
    static func bootTimeNanoseconds() -> Int64 {
        var real = timespec(), boot = timespec()
        clock_gettime(CLOCK_REALTIME, &real)
        clock_gettime(CLOCK_BOOTTIME, &boot)
        return (Int64(real.tv_sec) - Int64(boot.tv_sec)) * 1_000_000_000 + Int64(real.tv_nsec) - Int64(boot.tv_nsec)
    }

    /// The clock ticks in a second (`CLK_TCK`), the unit of /proc/PID/stat's start times.
    static var clockTicksPerSecond: Int64 { Int64(sysconf(Int32(_SC_CLK_TCK))) }

    /// Sends one datagram to a unix socket (a path, or `@name` for an abstract one); the errno on failure.
    static func sendDatagram(_ address: String, _ text: String) -> Failure? {
        let error = text.withCString { cp_send_datagram(address, $0, strlen($0)) }
        return error == 0 ? nil : Failure(errno: error)
    }

    /// Makes `directory` (0755) and binds a datagram socket at `socket` in it (0777), so that a process of any user
    /// that can reach the directory can send to it; the socket does not block and is closed on exec.
    static func bindDatagramSocket(directory: String, socket path: String) throws(Failure) -> Int32 {
        guard mkdir(directory, 0o755) == 0, chmod(directory, 0o755) == 0 else { throw Failure(errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(errno: errno) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o777) == 0 else {
            let error = errno
            close(fd)
            throw Failure(errno: error)
        }
        return fd
    }

    /// The datagrams waiting on a non-blocking socket, at most `count` of them (a flood must not hold the loop):
    /// each as its first `longest` + 1 bytes and its whole length. Read without ancillary data, so descriptors sent
    /// along are closed by the kernel, never received.
    static func receiveDatagrams(_ fd: Int32, count: Int, longest: Int) -> [(bytes: [UInt8], length: Int)] {
        var datagrams: [(bytes: [UInt8], length: Int)] = []
        var buffer = [UInt8](repeating: 0, count: longest + 1)
        while datagrams.count < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_TRUNC)) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { break }
            datagrams.append((Array(buffer[..<min(n, buffer.count)]), n))
        }
        return datagrams
    }

    /// Deletes dockrun's private directory and what a run puts in it: its cidfile and the notification relay's
    /// directory and socket (`NotifyRelay`). Whoever ends last (dockrun, or its guardian) calls this.
    static func removePrivateDirectory(_ path: String) {
        removeFile(Cidfile(privateDirectory: path).path)
        removeFile(NotifyRelay.hostSocket(inPrivateDirectory: path))
        removeDirectory(NotifyRelay.hostDirectory(inPrivateDirectory: path))
        removeDirectory(path)
    }

    /// `DOCKRUN_DEBUG` set to anything but empty or 0: each docker command is printed before it runs.
    static var debugging: Bool { environment("DOCKRUN_DEBUG").map { !$0.isEmpty && $0 != "0" } ?? false }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Sleeps `milliseconds`, or less if one of `signals` (blocked, as dockrun's supervised signals are) arrives
    /// first: then that signal, taken from the pending set.
    static func sleep(milliseconds: Int64, unlessSignalled signals: [Int32]) -> Int32? {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        let deadline = monotonicMilliseconds() + milliseconds
        while true {
            let left = max(0, deadline - monotonicMilliseconds())
            var timeout = timespec(tv_sec: Int(left / 1000), tv_nsec: Int(left % 1000) * 1_000_000)
            let signal = sigtimedwait(&set, nil, &timeout)
            if signal > 0 { return signal }
            if errno != EINTR || left == 0 { return nil }
        }
    }

    /// Sleeps `milliseconds` (the guardian, whose signals are ignored, not blocked).
    static func sleep(milliseconds: Int64) {
        _ = poll([], timeoutMilliseconds: Int32(clamping: milliseconds))
    }

    /// A pidfd for a child not yet reaped (-1 on failure), so it can be watched and signalled without the risk of a
    /// recycled PID.
    static func openPidfd(_ pid: pid_t) -> Int32 { cp_pidfd_open(pid) }

    /// SIGKILL through the pidfd, then blocks until the process has ended.
    static func killAndAwait(pidfd: Int32) {
        _ = cp_pidfd_send_signal(pidfd, SIGKILL)
        _ = poll([pidfd], timeoutMilliseconds: -1)
    }

    /// Makes reads of `fd` block (a pipe dockrun made non-blocking on its own side).
    static func setBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    }

    /// Reads what comes next, blocking; false at end of file (or on an error).
    static func readBlocking(_ fd: Int32, appendingTo buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            buffer += chunk[..<n]
            return true
        }
    }

    /// Ends dockrun: an exit with the code, or death by the signal (its default action, with no core dump).
    static func end(_ ending: Ending) -> Never {
        if case .signal(let signal) = ending { cp_die_by_signal(signal) }
        exit(ending.shellCode)
    }

    /// The monotonic clock in microseconds, as sd_notify's `MONOTONIC_USEC=` counts (a container's clock is the same).
    static func monotonicMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Waits for any of the descriptors to become readable; returns their readiness in order.
    static func poll(_ fds: [Int32], timeoutMilliseconds: Int32) -> [Bool] {
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while Glibc.poll(&entries, nfds_t(entries.count), timeoutMilliseconds) < 0 {
            guard errno == EINTR else { break }
        }
        return entries.map { $0.revents != 0 }
    }
}
