import CProcess
#if canImport(Glibc)
import Glibc
#endif

/// What fake-docker knows about host processes: identity (a PID plus its start time, since PIDs are
/// reused), liveness, which signals a process handles, and waiting for exit without polling (pidfd).
enum HostProcess {
    /// Field 22 of /proc/PID/stat (start time in clock ticks since boot), or nil if the process is gone.
    static func startTime(_ pid: Int32) -> Int64? {
        guard pid > 0, let stat = readFile("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 is fields[19]. A zombie has exited already.
        guard fields.count > 19, fields[0] != "Z" else { return nil }
        return Int64(fields[19])
    }

    static func isAlive(pid: Int32, start: Int64) -> Bool {
        guard pid > 0 else { return false }
        return startTime(pid) == start
    }

    /// The SigCgt mask of /proc/PID/status: the signals the process has a handler for.
    static func caughtSignals(_ pid: Int32) -> UInt64? {
        guard let status = readFile("/proc/\(pid)/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("SigCgt:") {
            return UInt64(line.dropFirst(7).trimmingCharacters(in: " \t"), radix: 16)
        }
        return nil
    }

    /// Opens a pidfd for `pid` only if it is still the process that started at `start`.
    static func open(pid: Int32, start: Int64) -> Int32? {
        guard pid > 0 else { return nil }
        let fd = cp_pidfd_open(pid)
        guard fd >= 0 else { return nil }
        // Checked after the open: the pidfd now pins this exact process, so a match means it is ours.
        guard startTime(pid) == start else { close(fd); return nil }
        return fd
    }

    /// Blocks until the process behind `pidfd` exits or `timeout` seconds pass (nil: no limit).
    /// Returns true when it exited.
    @discardableResult
    static func wait(pidfd: Int32, timeout: Double?) -> Bool {
        pollReadable([pidfd], until: timeout.map { monotonicNow() + $0 }) != nil
    }

    /// Blocks until one of `fds` is readable (or in error) and returns the first such index, or nil once the
    /// monotonic `deadline` has passed (nil: no deadline).
    /// A poll(2) timeout in milliseconds (-1: none) shortened to at most `cap`: for a poll that must also look at
    /// something no descriptor tells of.
    static func pollTimeout(_ milliseconds: Int32, atMost cap: Int32) -> Int32 {
        milliseconds < 0 ? cap : min(milliseconds, cap)
    }

    static func pollReadable(_ fds: [Int32], until deadline: Double?) -> Int? {
        while true {
            var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            var ms: Int32 = -1
            if let deadline {
                let left = deadline - monotonicNow()
                if left <= 0 { return nil }
                ms = Int32(min(left * 1000, 86_400_000).rounded(.up))
            }
            let r = poll(&polled, nfds_t(polled.count), ms)
            if r > 0 { return polled.firstIndex { $0.revents != 0 } }
            // A failed poll cannot wait; the caller's checks then find out what happened.
            if r < 0 && errno != EINTR { return 0 }
        }
    }

    static func readFile(_ path: String) -> String? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readToEnd(fd)
    }

    /// What is left to read of `fd`, from its offset to its end, as text.
    static func readToEnd(_ fd: Int32) -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
