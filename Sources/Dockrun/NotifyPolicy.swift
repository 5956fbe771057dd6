/// What dockrun tells systemd through `NOTIFY_SOCKET` (sd_notify's datagram protocol), decided as a value from
/// the phases of the run and what `docker inspect` says of the container; the event loop sends the datagrams,
/// runs the probes and keeps the timers. Every decision here is unit-tested.
///
/// - `READY=1` once the container runs (`--sdnotify=running`, the default) or once its health check says healthy
///   (`--sdnotify=healthy`; a run without a health check is refused, `HealthWatch`). A container that never runs sends
///   none, so systemd fails the start instead of calling a dead service ready. One that ran and ended before a probe
///   saw it running (a one-shot command) sends it as it ends, before its exit: systemd then reads how it ended, not
///   a protocol failure, as podman's conmon says ready when a container starts.
/// - `STATUS=` with the health check's status as it changes, and `container X was killed: out of memory` (`noted`).
/// - `STATUS=` at each step, `STOPPING=1` when dockrun begins a stop, `MAINPID=` with `READY=1` when systemd's
///   main process is not dockrun (`SYSTEMD_EXEC_PID` names another process, e.g. a shell that forked it).
/// - `WATCHDOG=1` every `WATCHDOG_USEC`/2 while the container runs — and, if it has a health check, only while
///   that says healthy: a container that hangs or goes unhealthy lets systemd's watchdog fire.
/// - `EXTEND_TIMEOUT_USEC=` every 5 s while the container does not exist yet (a pull, a slow create), each for
///   15 s: the unit's start timeout counts from the container's creation, and a lost datagram does not fail it.
/// - `--sdnotify=container`: the application says `READY=1` and pings the watchdog itself (`NotifyRelay`); dockrun
///   sends neither, nor the "created" and "running" `STATUS=` that would overwrite the application's own.
public struct NotifyPolicy: Equatable, Sendable {
    public enum Mode: String, Equatable, Sendable, CaseIterable {
        case running, healthy, container, ignore
    }

    public enum Action: Equatable, Sendable {
        case send(String)
        /// Run `docker inspect` for the container's state (`probed` gets the answer).
        case probe(ContainerID)
        /// Call `probeDue` after this long.
        case scheduleProbe(milliseconds: Int64)
        /// Call `watchdogDue` after this long.
        case scheduleWatchdog(milliseconds: Int64)
        /// Call `extensionDue` after this long.
        case scheduleExtension(milliseconds: Int64)
    }

    /// While waiting to be ready: the first probe retried soon, then less often, never more than every 2 s.
    static let firstRetryMilliseconds: Int64 = 50
    /// While the container does not exist: how often the start timeout is extended, and by how much each time.
    static let extensionIntervalMilliseconds: Int64 = 5000
    static let extensionMicroseconds: Int64 = 15_000_000

    public let mode: Mode
    /// `WATCHDOG_USEC`, and how often dockrun pings (half of it; nil with `--sdnotify=container`: the application
    /// pings, told `WATCHDOG_USEC` through `NotifyRelay.dockerOptions`).
    public let watchdogMicroseconds: Int64?
    public let watchdogMilliseconds: Int64?
    public let mainPID: Int32?
    public private(set) var ready = false
    private var container: ContainerID?
    private var phase: RunPolicy.Phase = .starting
    private var retry = Backoff(firstMilliseconds: NotifyPolicy.firstRetryMilliseconds, longestMilliseconds: 2000)
    private var hasHealthCheck = false
    private var probeInFlight = false
    /// A watchdog tick waiting for a probe's answer to decide whether to ping.
    private var watchdogWaitsForProbe = false
    /// Why the container ended, when dockrun knows more than its code (the last `STATUS=` says it).
    private var endNote: String?
    /// dockrun began a stop before the container was ready: a container that then ends never became ready.
    private var stoppedBeforeReady = false

    /// The socket and the policy for a dockrun started with `environment`, or nil when there is nothing to notify:
    /// no `NOTIFY_SOCKET` (or one that is neither a path nor `@abstract`: vsock is not supported), or `ignore`.
    /// `WATCHDOG_USEC` counts only when `WATCHDOG_PID` is unset or names dockrun (sd_watchdog_enabled's rule);
    /// `SYSTEMD_EXEC_PID` naming another process means dockrun is not systemd's main process.
    public static func configuration(mode: Mode, environment: (String) -> String?, pid: Int32)
        -> (socket: String, policy: NotifyPolicy)? {
        guard mode != .ignore, let socket = environment("NOTIFY_SOCKET"),
              socket.hasPrefix("/") || (socket.hasPrefix("@") && socket.count > 1) else { return nil }
        var watchdog = environment("WATCHDOG_USEC").flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
        if let owner = environment("WATCHDOG_PID"), Int32(owner) != pid { watchdog = nil }
        let main = environment("SYSTEMD_EXEC_PID").flatMap { Int32($0) }
        let mainPID = main != nil && main != pid ? pid : nil
        return (socket, NotifyPolicy(mode: mode, watchdogMicroseconds: watchdog, mainPID: mainPID))
    }

    /// - Parameters:
    ///   - watchdogMicroseconds: `WATCHDOG_USEC`, when it is set for dockrun.
    ///   - mainPID: dockrun's PID when systemd's main process is another one (see `SYSTEMD_EXEC_PID`).
    public init(mode: Mode, watchdogMicroseconds: Int64?, mainPID: Int32?) {
        self.mode = mode
        self.watchdogMicroseconds = watchdogMicroseconds
        self.watchdogMilliseconds = mode == .container ? nil : watchdogMicroseconds.map { max(1, $0 / 2000) }
        self.mainPID = mainPID
    }

    /// The first messages, as dockrun starts the client.
    public mutating func start() -> [Action] {
        guard mode != .ignore else { return [] }
        var actions: [Action] = [.send("STATUS=Pulling or creating the container\n\(extensionMessage)"),
                                 .scheduleExtension(milliseconds: Self.extensionIntervalMilliseconds)]
        if let watchdogMilliseconds { actions.append(.scheduleWatchdog(milliseconds: watchdogMilliseconds)) }
        return actions
    }

    /// The start timeout extended again while the container does not exist yet; nothing once it does.
    public func extensionDue() -> [Action] {
        guard mode != .ignore, phase == .starting else { return [] }
        return [.send(extensionMessage), .scheduleExtension(milliseconds: Self.extensionIntervalMilliseconds)]
    }

    private var extensionMessage: String { "EXTEND_TIMEOUT_USEC=\(Self.extensionMicroseconds)" }

    public mutating func phaseChanged(to phase: RunPolicy.Phase, container: ContainerID?) -> [Action] {
        guard mode != .ignore, phase != self.phase else { return [] }
        self.phase = phase
        let name = container.map { String($0.value.prefix(12)) } ?? ""
        switch phase {
        case .starting, .done:
            return []
        case .running:
            self.container = container
            guard let container, mode != .container else { return [] }
            return [.send("STATUS=Container \(name) created; waiting for it to run")] + probe(container)
        case .stopping:
            if !ready { stoppedBeforeReady = true }
            return [.send("STOPPING=1\nSTATUS=Stopping container \(name)")]
        case .sweeping:
            return [.send("STOPPING=1\nSTATUS=The docker client was killed; looking for its container")]
        case .committing:
            return [.send("STATUS=Committing container \(name)")]
        case .removing:
            return [.send("STATUS=Removing container \(name)")]
        }
    }

    /// The run is over: its exit code. A container that was created, not stopped by dockrun, and ended with a code of
    /// its own (not docker's failures to start it, 125–127) ran: it was ready as much as it ever would be.
    public func exited(_ code: Int32) -> [Action] {
        guard mode != .ignore else { return [] }
        let status = Action.send("STATUS=Exited with code \(code)" + (endNote.map { " (\($0))" } ?? ""))
        guard mode == .running, !ready, container != nil, !stoppedBeforeReady, !(125...127).contains(code) else { return [status] }
        return [.send("READY=1" + (mainPID.map { "\nMAINPID=\($0)" } ?? "")), status]
    }

    /// What dockrun learned of the container beside its phases (`RunPolicy.Note`).
    public mutating func noted(_ note: RunPolicy.Note) -> [Action] {
        guard mode != .ignore else { return [] }
        let name = container.map { String($0.value.prefix(12)) } ?? ""
        switch note {
        case .health(let status):
            // Before READY=1 the readiness message says it; "starting" is no news.
            guard phase == .running, ready, status != "starting" else { return [] }
            return [.send("STATUS=Container \(name) running, \(status)")]
        case .outOfMemory:
            endNote = "container \(name) was killed: out of memory"
            return [.send("STATUS=Container \(name) was killed: out of memory")]
        }
    }

    public mutating func probeDue() -> [Action] {
        guard let container, mode != .container, phase == .running || phase == .stopping else { return [] }
        return probe(container)
    }

    /// `state` is nil when `docker inspect` failed (the engine did not answer): asked again later.
    public mutating func probed(_ state: ContainerState?) -> [Action] {
        probeInFlight = false
        guard phase == .running || phase == .stopping else { return [] }
        var actions: [Action] = []
        if let state {
            hasHealthCheck = state.health != nil
            if watchdogWaitsForProbe {
                watchdogWaitsForProbe = false
                if state.status == "running" && (state.health == nil || state.health == "healthy") {
                    actions.append(.send("WATCHDOG=1"))
                }
            }
            if !ready {
                switch state.status {
                case "running":
                    if mode == .running || state.health == "healthy" {
                        ready = true
                        let name = container.map { String($0.value.prefix(12)) } ?? ""
                        let health = state.health.map { " (\($0))" } ?? ""
                        var message = "READY=1\nSTATUS=Container \(name) running\(health)"
                        if let mainPID { message += "\nMAINPID=\(mainPID)" }
                        return actions + [.send(message)]
                    }
                case "created", "restarting":
                    break
                default:
                    // exited, dead, removing, paused: it will not become ready by itself.
                    return actions
                }
            } else {
                return actions
            }
        } else if ready {
            return actions
        }
        return actions + [.scheduleProbe(milliseconds: retry.next())]
    }

    public mutating func watchdogDue() -> [Action] {
        guard let watchdogMilliseconds, phase != .done else { return [] }
        var actions: [Action] = [.scheduleWatchdog(milliseconds: watchdogMilliseconds)]
        switch phase {
        case .running where ready:
            guard hasHealthCheck, let container else { return [.send("WATCHDOG=1")] + actions }
            watchdogWaitsForProbe = true
            actions += probe(container)
        case .stopping:
            // A stop takes as long as the container's stop timeout: the watchdog must not fire during it.
            actions.insert(.send("WATCHDOG=1"), at: 0)
        default:
            break
        }
        return actions
    }

    private mutating func probe(_ container: ContainerID) -> [Action] {
        guard !probeInFlight else { return [] }
        probeInFlight = true
        return [.probe(container)]
    }
}
