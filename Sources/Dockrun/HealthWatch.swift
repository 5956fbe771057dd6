/// `--health-on-failure` (podman's names): what dockrun does once the container's health check says `unhealthy`.
public enum HealthFailureAction: String, Equatable, Sendable, CaseIterable {
    case none, kill, stop

    /// What dockrun exits with after it killed or stopped an unhealthy container: a plain exit code, never an end by
    /// a signal (a `docker stop`'s 143 would be an end by TERM, which systemd's `Restart=on-failure` does not restart).
    /// 124 is timeout(1)'s "it ran out of what it was allowed"; it is neither docker's (125–127) nor 128+N.
    public static let exitCode: Int32 = 124
}

/// Whether the run has a health check, as far as can be told without the container.
public enum HealthCheckPresence: Equatable, Sendable {
    case present, absent
    /// The image decides (`docker image inspect`), or, when the image is not there yet, the container does.
    case unknown

    /// `docker image inspect --format` for the image's health check: `null`, or its JSON.
    public static let imageInspectFormat = "{{json .Config.Healthcheck}}"

    /// The answer to `imageInspectFormat`: `null` (no HEALTHCHECK), `{"Test":["NONE"]}` (`HEALTHCHECK NONE`), or one.
    public init(imageHealthcheck text: String) {
        let json = String(text.prefix { $0 != "\n" })
        if json == "null" || json.contains(#""Test":["NONE"]"#) {
            self = .absent
        } else if json.contains(#""Test":["CMD"#) {
            self = .present
        } else {
            self = .unknown
        }
    }
}

/// Watches the container's health for `--health-on-failure`, for a health check the run needs but could not confirm
/// before the start, and for `STATUS=` under systemd: one `docker inspect` when the container appears, then one per
/// health-check interval (the checks run that often: a status cannot change in between). A value: it tells
/// `RunPolicy` what to do (`Step`), which does it.
public struct HealthWatch: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        /// Inspect the container now, or after so long.
        case probe
        case probeAfter(milliseconds: Int64)
        /// The health check's status changed (for `STATUS=`).
        case changed(String)
        /// It says `unhealthy`: `onFailure` applies.
        case unhealthy
        /// The container runs without a health check, and the run needs one.
        case missing
    }

    /// docker's default interval when none is given.
    public static let defaultIntervalMilliseconds: Int64 = 30_000

    public let onFailure: HealthFailureAction
    /// The run needs a health check (`--sdnotify=healthy`, `--health-on-failure`) that was not confirmed before it.
    public let confirm: Bool
    /// The health goes to systemd's `STATUS=`.
    public let reports: Bool
    private var interval: Int64?
    private var health: String?
    private var inFlight = false
    private var over = false
    /// Before the container runs: asked again soon, then less often.
    private var retry = Backoff(firstMilliseconds: 50, longestMilliseconds: 2000)

    /// The watch a run needs, or nil when nothing depends on the health.
    public static func needed(onFailure: HealthFailureAction, confirm: Bool, reports: Bool) -> HealthWatch? {
        guard onFailure != .none || confirm || reports else { return nil }
        return HealthWatch(onFailure: onFailure, confirm: confirm, reports: reports)
    }

    public init(onFailure: HealthFailureAction, confirm: Bool, reports: Bool) {
        self.onFailure = onFailure
        self.confirm = confirm
        self.reports = reports
    }

    /// A probe is due (the container appeared, or the timer fired).
    public mutating func due() -> [Step] {
        guard !over, !inFlight else { return [] }
        inFlight = true
        return [.probe]
    }

    /// The probe's answer; nil when `docker inspect` failed (asked again after an interval).
    public mutating func probed(_ state: ContainerState?) -> [Step] {
        inFlight = false
        guard !over else { return [] }
        guard let state else { return [.probeAfter(milliseconds: interval ?? retry.next())] }
        switch state.status {
        case "running": break
        case "exited", "dead", "removing":
            over = true
            return []
        default:
            // created (not started yet), restarting, paused: no health check runs; it may run soon.
            return [.probeAfter(milliseconds: interval ?? retry.next())]
        }
        guard let status = state.health else {
            over = true
            return confirm ? [.missing] : []
        }
        interval = state.healthIntervalMilliseconds ?? Self.defaultIntervalMilliseconds
        var steps: [Step] = []
        if status != health {
            health = status
            if reports { steps.append(.changed(status)) }
        }
        if status == "unhealthy" && onFailure != .none {
            over = true
            return steps + [.unhealthy]
        }
        guard onFailure != .none || reports else {
            // Only the presence of a health check was asked: it is confirmed.
            over = true
            return steps
        }
        return steps + [.probeAfter(milliseconds: interval ?? Self.defaultIntervalMilliseconds)]
    }

    /// Nothing more to watch (the container is being stopped, or has ended).
    public mutating func end() { over = true }
}
