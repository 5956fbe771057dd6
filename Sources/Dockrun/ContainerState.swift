/// What `docker inspect` says of a container's state, in one short command: its status, its exit code, its health
/// check's status and interval if it has one, and whether the kernel killed it for out of memory. The policy asks it
/// after an ambiguous end of the client (and after a 137, for `OOMKilled`), the health watch once per interval, the
/// notifier for systemd's readiness and watchdog.
public struct ContainerState: Equatable, Sendable {
    /// `.State.Status`: created, running, paused, restarting, removing, exited, dead.
    public var status: String
    public var exitCode: Int32
    /// nil for a container without a health check.
    public var health: String?
    /// `.Config.Healthcheck.Interval` (nil without a health check; docker's default, 30 s, when it is 0).
    public var healthIntervalMilliseconds: Int64?
    /// `.State.OOMKilled`: the kernel's OOM killer ended it (its code is then 137).
    public var oomKilled: Bool

    /// The engine answers `{{if .State.Health}}` for a container without one: its typed State has a nil Health, and
    /// then no `.Config.Healthcheck.Interval` is asked (a nil Healthcheck has none). The interval is asked as JSON:
    /// nanoseconds, 0 when unset, on both engines (a template prints Go's `1s`).
    public static let inspectFormat = "{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}"
        + " interval={{json .Config.Healthcheck.Interval}}{{end}} oom={{.State.OOMKilled}}"

    public init(status: String, exitCode: Int32 = 0, health: String? = nil, healthIntervalMilliseconds: Int64? = nil,
                oomKilled: Bool = false) {
        self.status = status
        self.exitCode = exitCode
        self.health = health
        self.healthIntervalMilliseconds = healthIntervalMilliseconds
        self.oomKilled = oomKilled
    }

    /// The output of `inspectFormat`: `STATUS CODE[ HEALTH interval=NS] oom=BOOL` (the keyed words may be absent).
    public init?(inspectOutput text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard words.count >= 2, let code = Int32(words[1]) else { return nil }
        var keyed: [String: String] = [:]
        var health: String?
        for word in words.dropFirst(2) {
            if let equals = word.firstIndex(of: "=") {
                keyed[String(word[..<equals])] = String(word[word.index(after: equals)...])
            } else {
                health = word
            }
        }
        let interval = keyed["interval"].flatMap { Int64($0) }.map {
            $0 > 0 ? max(1, $0 / 1_000_000) : HealthWatch.defaultIntervalMilliseconds
        }
        self.init(status: words[0], exitCode: code, health: health, healthIntervalMilliseconds: health == nil ? nil : interval,
                  oomKilled: keyed["oom"] == "true")
    }

    /// It ran and has ended: its exit code is final.
    public var hasEnded: Bool { status == "exited" || status == "dead" }
}
