/// `--sdnotify=container`: what dockrun passes on to systemd of what the application inside the container says to
/// its own `NOTIFY_SOCKET` — a socket dockrun owns, in its private directory, bound into the container — decided as
/// a value from each datagram as it arrives; the event loop makes the socket, reads it and sends what this returns.
///
/// - Passed on, line by line: `READY=1`, `STATUS=`, `WATCHDOG=1`, `WATCHDOG=trigger`, `RELOADING=1`,
///   `MONOTONIC_USEC=`, `STOPPING=1`, `ERRNO=`, `EXTEND_TIMEOUT_USEC=` (the numbers decimal). Every other line is
///   left out: `MAINPID=` (the unit's main process is dockrun, or the one `NotifyPolicy` names), `FDSTORE=` and
///   `BARRIER=` (their descriptors never reach dockrun: it reads datagrams without ancillary data, so the kernel
///   closes them, which also releases a waiting `sd_notify_barrier`), and whatever else systemd might act on.
/// - `RELOADING=1` without `MONOTONIC_USEC=` gets the moment dockrun read it (`Type=notify-reload` wants one; a
///   container shares the host's monotonic clock). `READY=1` carries dockrun's `MAINPID=` when `NotifyPolicy` sends
///   one with its own.
/// - Dropped whole: a datagram longer than 4096 bytes (systemd's own bound), one that is not UTF-8 text (or holds a
///   NUL), and a flood: more than a burst of 100, then 100 a second. Each reason is said on stderr once.
public struct NotifyRelay: Equatable, Sendable {
    /// Where the relay's directory is bound in the container; `NOTIFY_SOCKET` there names `socketName` in it.
    public static let containerDirectory = "/run/dockrun-notify"
    public static let socketName = "notify.sock"
    /// The relay's directory, inside dockrun's private one (0700): a directory of its own (0755, the socket 0777)
    /// so that it alone is bound into the container, where a process of any `--user` can send to it.
    public static func hostDirectory(inPrivateDirectory directory: String) -> String { directory + "/notify" }
    public static func hostSocket(inPrivateDirectory directory: String) -> String {
        hostDirectory(inPrivateDirectory: directory) + "/" + socketName
    }

    /// systemd's bound on a notification (NOTIFY_BUFFER_MAX, PIPE_BUF).
    public static let longestMessage = 4096
    /// The flood bound: `burst` datagrams at once, then `perSecond` (a token bucket).
    public static let burst: Int64 = 100
    public static let perSecond: Int64 = 100

    public enum Action: Equatable, Sendable {
        /// To systemd's `NOTIFY_SOCKET`.
        case send(String)
        /// A line for dockrun's stderr (without the `dockrun: ` prefix).
        case say(String)
    }

    /// Why a datagram, or a line of one, was not passed on: each is said once.
    enum Refusal: Hashable, Sendable {
        case tooLong, notText, flood, notRelayed
    }

    /// dockrun's PID when systemd's main process is another (`NotifyPolicy.mainPID`): sent with `READY=1`.
    public let mainPID: Int32?
    /// Flood allowance, in millionths of a datagram; full at the start.
    private var allowance = NotifyRelay.burst * 1_000_000
    private var lastMicroseconds: Int64?
    private var said: Set<Refusal> = []

    public init(mainPID: Int32?) {
        self.mainPID = mainPID
    }

    /// The options that give the container its `NOTIFY_SOCKET`: the relay's directory bound in, the variable set,
    /// and `WATCHDOG_USEC` when systemd's watchdog is dockrun's (the application pings it; dockrun does not).
    public static func dockerOptions(hostDirectory: String, watchdogMicroseconds: Int64?) -> [String] {
        var options = ["-v", "\(hostDirectory):\(containerDirectory)",
                       "-e", "NOTIFY_SOCKET=\(containerDirectory)/\(socketName)"]
        if let watchdogMicroseconds { options += ["-e", "WATCHDOG_USEC=\(watchdogMicroseconds)"] }
        return options
    }

    /// One datagram from the container: `bytes` as read (at most `longestMessage` + 1 of them), `length` its whole
    /// size, `now` the monotonic clock in microseconds.
    public mutating func received(_ bytes: [UInt8], length: Int, atMicroseconds now: Int64) -> [Action] {
        guard takeFromAllowance(at: now) else { return refuse(.flood) }
        guard length <= Self.longestMessage else { return refuse(.tooLong) }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else { return refuse(.notText) }
        var lines: [Substring] = []
        var refused: [Substring] = []
        for line in text.split(separator: "\n") {
            if Self.isRelayed(line) { lines.append(line) } else { refused.append(line) }
        }
        var actions: [Action] = []
        if let first = refused.first { actions += refuse(.notRelayed, naming: first) }
        guard !lines.isEmpty else { return actions }
        var message = lines.joined(separator: "\n")
        if lines.contains("RELOADING=1") && !lines.contains(where: { $0.hasPrefix("MONOTONIC_USEC=") }) {
            message += "\nMONOTONIC_USEC=\(now)"
        }
        if let mainPID, lines.contains("READY=1") { message += "\nMAINPID=\(mainPID)" }
        return [.send(message)] + actions
    }

    /// Whether a line is one systemd is told, with a value of the shape systemd reads.
    static func isRelayed(_ line: Substring) -> Bool {
        guard let equals = line.firstIndex(of: "=") else { return false }
        let value = line[line.index(after: equals)...]
        let isNumber = !value.isEmpty && value.allSatisfy { $0.isASCII && $0.isNumber }
        switch line[..<equals] {
        case "READY", "RELOADING", "STOPPING": return value == "1"
        case "WATCHDOG": return value == "1" || value == "trigger"
        case "STATUS": return true
        case "ERRNO", "EXTEND_TIMEOUT_USEC", "MONOTONIC_USEC": return isNumber
        default: return false
        }
    }

    private mutating func takeFromAllowance(at now: Int64) -> Bool {
        let elapsed = max(0, now - (lastMicroseconds ?? now))
        lastMicroseconds = now
        let full = Self.burst * 1_000_000
        allowance = min(full, allowance + min(elapsed, full) * Self.perSecond)
        guard allowance >= 1_000_000 else { return false }
        allowance -= 1_000_000
        return true
    }

    private mutating func refuse(_ refusal: Refusal, naming line: Substring = "") -> [Action] {
        guard said.insert(refusal).inserted else { return [] }
        let text: String
        switch refusal {
        case .tooLong: text = "a notification from the container longer than \(Self.longestMessage) bytes was dropped"
        case .notText: text = "a notification from the container that is not UTF-8 text was dropped"
        case .flood:
            text = "the container sent more than \(Self.burst) notifications at once or \(Self.perSecond) a second; "
                + "the excess is dropped"
        case .notRelayed:
            let field = line.firstIndex(of: "=").map { "\(line[..<$0].prefix(64))=" } ?? "line \"\(line.prefix(64))\""
            text = "the container's notification \(field) is not passed on to systemd (only READY=1, STATUS=, "
                + "WATCHDOG=, RELOADING=1, MONOTONIC_USEC=, STOPPING=1, ERRNO=, EXTEND_TIMEOUT_USEC=)"
        }
        return [.say(text + " (said once)")]
    }
}
